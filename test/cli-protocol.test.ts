import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { parseExperimentConfig } from '../solver/experiment-config.js';
import { cliPath, fixturesDir, repoRoot, runCli } from './helpers/cli.js';
import { sharedFile, workspaceWith } from './orchestration/workspace-fixture.js';

const cli = (root: string, ...args: string[]) => runCli(['--workspace', root, ...args]);
/** `queue complete ID --worker WORKER --score SCORE --time MINUTES` and any further options. */
const completeAs = (root: string, id: string, worker: string, score: string, minutes: string, ...more: string[]) =>
  cli(root, 'queue', 'complete', id, '--worker', worker, '--score', score, '--time', minutes, ...more);

describe('ralph-tui status', () => {
  it('in a folder that is no workspace says how to point at one; in the ralph-tui folder it reads ./workspace (where npm start keeps it)', async () => {
    const empty = fs.mkdtempSync(path.join(os.tmpdir(), 'ralph-nows-'));
    const elsewhere = await runCli(['status'], { cwd: empty });
    fs.rmSync(empty, { recursive: true, force: true });
    expect(elsewhere.exitCode).toBe(2);
    expect(elsewhere.stderr).toBe(
      `ralph-tui: ${empty} is not a ralph-tui workspace (no ralph.config.json or orchestration/shared/); pass --workspace DIR or set RALPH_WORKSPACE (\`npm start\` keeps its workspace in ./workspace of the ralph-tui folder)`,
    );
    const inRepo = await runCli(['status'], { cwd: repoRoot });
    if (fs.existsSync(path.join(repoRoot, 'workspace', 'ralph.config.json'))) {
      expect(inRepo.exitCode).toBe(0);
      expect(inRepo.stdout).toContain('Target:');
    } else {
      expect(inRepo.stderr).toContain(`ralph-tui: ${path.join(repoRoot, 'workspace')} is not a ralph-tui workspace`);
    }
  });

  it('reports the HEAD files: best 1.1689 @ 58.2 min vs 1.25, queue counts, next up, who runs what, STOP', async () => {
    const root = workspaceWith({
      'coordination.json': 'coordination.json',
      'experiment_queue.json': 'experiment_queue.json',
    });
    const text = await cli(root, 'status');
    expect(text.exitCode).toBe(0);
    expect(text.stdout).toContain('Best:     1.1689 @ 58.2 min (hopping_with_tabu_memory (no_tabu_baseline config))');
    expect(text.stdout).toContain('Target:   1.2500 — gap 0.0811');
    expect(text.stdout).toContain(
      'Queue:    7 available · 2 claimed · 2 running · 183 completed · 0 failed · 12 aborted · 3 archived (209 total, v3)',
    );
    expect(text.stdout).toContain('Next up:  P3 EXP_SECOND_NM_ROUND_001 second_nm_polish_round');
    expect(text.stdout).toContain('W2 EXP_SIMPLE_TOP3_NO_FILTER_001 (claimed since 2026-01-27T04:37:16.704239Z)');
    expect(text.stdout).toContain('STOP:     not present');
    const json = await cli(root, 'status', '--json');
    const report = JSON.parse(json.stdout);
    expect(report).toMatchObject({
      best: { score: 1.1689, timeMin: 58.2 },
      target: 1.25,
      gap: 0.0811,
      stop: { present: false, targetReached: false },
      errors: [],
    });
    expect(report.queue.counts.available).toBe(7);
    expect(report.queue.running).toHaveLength(4);
    expect(report.workers.W3).toMatchObject({ status: 'active', currentExperiment: 'EXP_45PCT_TEMPORAL_001' });
  });

  it('lists the experiment runs going on now from their live status files, not the ones whose process is gone', async () => {
    const root = workspaceWith({
      'coordination.json': 'coordination.json',
      'experiment_queue.json': 'experiment_queue.json',
    });
    const progress = path.join(root, '.ralph', 'progress');
    fs.mkdirSync(progress, { recursive: true });
    const now = new Date().toISOString();
    const run = (id: string, pid: number) => ({
      run_id: id,
      name: `exp-${id}`,
      worker: 'W2',
      pid,
      host: os.hostname(),
      state: 'running',
      done: 3,
      total: 8,
      elapsed: 12,
      eta: 20,
      running_score: 1.2103,
      started_at: now,
      updated_at: now,
      last_lines: [],
    });
    // This test process is alive; a child that has exited is gone.
    const child = execa('true');
    const exitedPid = child.pid!;
    await child;
    fs.writeFileSync(path.join(progress, 'live.json'), JSON.stringify(run('live', process.pid)));
    fs.writeFileSync(path.join(progress, 'gone.json'), JSON.stringify(run('gone', exitedPid)));

    const text = await cli(root, 'status');
    expect(text.stdout).toContain('Progress: W2 exp-live 3/8 · eta 20s · running score 1.2103');
    expect(text.stdout).not.toContain('exp-gone');
    expect(JSON.parse((await cli(root, 'status', '--json')).stdout).experiments).toEqual([
      { id: 'live', name: 'exp-live', worker: 'W2', done: 3, total: 8, etaSeconds: 20, runningScore: 1.2103 },
    ]);
  });

  it('reads the v1 layout (queue.json, best_score, state_W1.json) and the v2 layout', async () => {
    const v1 = workspaceWith({
      'coordination.json': 'v1-coordination.json',
      'queue.json': 'v1-queue.json',
      'state_W1.json': 'v1-state_W1.json',
    });
    const report = JSON.parse((await cli(v1, 'status', '--json')).stdout);
    expect(report).toMatchObject({
      best: { score: 1.1247, timeMin: 57.2, experiment: 'robust_fallback' },
      target: 1.25,
      queue: { format: 'v1', counts: { available: 3 } },
    });
    expect(report.queue.nextUp[0]).toMatchObject({ id: 'RT001', priority: 1 });
    const v2 = workspaceWith({
      'coordination.json': 'v2-coordination.json',
      'experiment_queue.json': 'v2-experiment_queue.json',
    });
    const text = await cli(v2, 'status');
    expect(text.stdout).toContain('Best:     1.1247 @ 57.2 min (robust_fallback)');
    expect(text.stdout).toContain('W2 EXP019 (running)');
  });

  it('never crashes: a bare folder, and a malformed coordination.json (reported, the queue still shown)', async () => {
    const bare = await cli(workspaceWith(), 'status');
    expect(bare.exitCode).toBe(0);
    expect(bare.stdout).toContain('Best:     none yet');
    const root = workspaceWith({ 'experiment_queue.json': 'experiment_queue.json' });
    fs.writeFileSync(sharedFile(root, 'coordination.json'), '{\n  "best_scores": {\n');
    const broken = await cli(root, 'status');
    expect(broken.exitCode).toBe(0);
    expect(broken.stdout).toContain('7 available');
    expect(broken.stderr).toMatch(/coordination\.json: invalid JSON at line 3, column 1/);
    expect(broken.stderr).not.toMatch(/at .*\.js:\d+/); // no stack trace
  });
});

describe('ralph-tui queue', () => {
  it('add, list, claim, complete and fail with clear errors and exit codes', async () => {
    const root = workspaceWith({ 'coordination.json': 'coordination.json' });
    const added = await cli(
      root,
      'queue',
      'add',
      '--name',
      'tighter_sigma',
      '--family',
      'sigma',
      '--priority',
      '2',
      '--config',
      '{"sigma0_1src": 0.17}',
      '--json',
    );
    expect(added.exitCode).toBe(0);
    expect(JSON.parse(added.stdout)[0]).toMatchObject({
      id: 'EXP_TIGHTER_SIGMA_001',
      status: 'available',
      priority: 2,
      config: { sigma0_1src: 0.17 },
    });
    const list = JSON.parse((await cli(root, 'queue', 'list', '--json')).stdout);
    expect(list).toMatchObject({ format: 'v3', counts: { available: 1, total: 1 } });

    const claim = await cli(root, 'queue', 'claim', '--worker', 'W1', '--json');
    expect(claim.exitCode).toBe(0);
    expect(JSON.parse(claim.stdout)).toMatchObject({
      id: 'EXP_TIGHTER_SIGMA_001',
      status: 'claimed',
      worker: 'W1',
      resumed: false,
    });
    // A restarted worker gets its experiment back.
    expect(JSON.parse((await cli(root, 'queue', 'claim', '--worker', 'W1', '--json')).stdout)).toMatchObject({
      id: 'EXP_TIGHTER_SIGMA_001',
      resumed: true,
    });

    const none = await cli(root, 'queue', 'claim', '--worker', 'W2');
    expect(none.exitCode).toBe(3);
    expect(none.stderr).toBe('ralph-tui: no experiment available in the queue');
    const taken = await cli(root, 'queue', 'claim', '--worker', 'W2', '--id', 'EXP_TIGHTER_SIGMA_001');
    expect(taken.exitCode).toBe(3);
    expect(taken.stderr).toMatch(/EXP_TIGHTER_SIGMA_001 is not available: it is claimed by W1/);
    const unknown = await completeAs(root, 'EXP_NOPE', 'W1', '1.2', '50');
    expect(unknown.exitCode).toBe(2);
    expect(unknown.stderr).toMatch(/no experiment with id EXP_NOPE/);
    const badScore = await completeAs(root, 'EXP_TIGHTER_SIGMA_001', 'W1', 'high', '50');
    expect(badScore.exitCode).toBe(2);
    expect(badScore.stderr).toBe('ralph-tui: --score: expected a number, got "high"');

    const complete = await completeAs(
      root,
      'EXP_TIGHTER_SIGMA_001',
      'W1',
      '1.2',
      '55.5',
      '--result',
      'SUCCESS',
      '--finding',
      'lower sigma helps',
      '--json',
    );
    expect(complete.exitCode).toBe(0);
    expect(JSON.parse(complete.stdout)).toMatchObject({
      newBest: true,
      inBudget: true,
      previousBest: { score: 1.1689 },
      entry: { status: 'completed', score: 1.2, timeMin: 55.5 },
    });
    expect(JSON.parse((await cli(root, 'status', '--json')).stdout).best).toEqual({
      score: 1.2,
      timeMin: 55.5,
      experiment: 'tighter_sigma',
    });

    await cli(root, 'queue', 'add', '--name', 'slow_idea');
    await cli(root, 'queue', 'claim', '--worker', 'W2');
    const over = await completeAs(root, 'EXP_SLOW_IDEA_001', 'W2', '1.3', '75');
    expect(over.stdout).toBe(
      'EXP_SLOW_IDEA_001 completed by W2: 1.3000 @ 75.0 min — over the 60-minute budget, not eligible as best',
    );
    await cli(root, 'queue', 'add', '--name', 'broken_idea');
    await cli(root, 'queue', 'claim', '--worker', 'W3');
    const fail = await cli(
      root,
      'queue',
      'fail',
      'EXP_BROKEN_IDEA_001',
      '--worker',
      'W3',
      '--reason',
      'diverges',
      '--abort',
    );
    expect(fail.stdout).toBe('EXP_BROKEN_IDEA_001 aborted by W3: diverges');
    const counts = JSON.parse((await cli(root, 'queue', 'list', '--json')).stdout).counts;
    expect(counts).toMatchObject({ available: 0, completed: 2, aborted: 1 });
  });

  it('rejects bad input with one sentence (exit 2)', async () => {
    const root = workspaceWith();
    const cases: Array<[string[], RegExp]> = [
      [['queue', 'claim', '--worker', 'worker1'], /^ralph-tui: --worker: expected an agent id like W1, got "worker1"$/],
      [['queue', 'add', '--name', 'x', '--config', '{"a":'], /^ralph-tui: --config: invalid JSON at line 1, column 6/],
      [['queue', 'add', '--name', 'x', '--config', '[1]'], /^ralph-tui: --config: expected a JSON object/],
      [['queue', 'add'], /^ralph-tui: queue add needs --name/],
      [['queue', 'list', '--status', 'done'], /^ralph-tui: --status: unknown status "done"/],
      // queue add takes only names that `run` accepts (they name the experiments/<name> folder).
      [
        ['queue', 'add', '--name', 'two words'],
        /^ralph-tui: experiment name "two words" is not valid: letters, digits, _ \. - only/,
      ],
      [['queue', 'add', '--name', '../escape'], /^ralph-tui: experiment name "\.\.\/escape" is not valid/],
      [['run', 'two words'], /^ralph-tui: experiment name "two words" is not valid: letters, digits, _ \. - only/],
    ];
    for (const [args, message] of cases) {
      const result = await cli(root, ...args);
      expect(result.exitCode, args.join(' ')).toBe(2);
      expect(result.stderr).toMatch(message);
    }
  });
});

describe('ralph-tui log', () => {
  it('appends in the established format, tails lines and entries', async () => {
    const root = workspaceWith();
    const appended = await cli(
      root,
      'log',
      'append',
      '--worker',
      'W1',
      '--experiment',
      'sigma_ladder',
      '--score',
      '1.1658',
      '--time',
      '70',
      '--config',
      '{"sigma0_1src":0.18}',
      '--result',
      'OVER_BUDGET',
      '--finding',
      'too slow',
      '--flag',
      'FAILED',
    );
    expect(appended.exitCode).toBe(0);
    expect(fs.readFileSync(path.join(root, 'ITERATION_LOG.md'), 'utf8')).toBe(
      '\n### [W1] Experiment: sigma_ladder | Score: 1.1658 @ 70.0 min | FAILED\n**Config**: {"sigma0_1src":0.18}\n**Result**: OVER_BUDGET\n**Key Finding**: too slow\n\n---\n',
    );
    await cli(
      root,
      'log',
      'append',
      '--worker',
      'W2',
      '--experiment',
      'best_one',
      '--score',
      '1.2',
      '--time',
      '50',
      '--flag',
      'NEW BEST',
    );
    const tail = await cli(root, 'log', 'tail', '-n', '4');
    // The last 4 lines (the CLI's final newline is stripped by execa).
    expect(tail.stdout).toBe('\n### [W2] Experiment: best_one | Score: 1.2000 @ 50.0 min | **NEW BEST**\n\n---');
    const entries = JSON.parse((await cli(root, 'log', 'tail', '--entries', '-n', '2', '--json')).stdout);
    expect(entries.map((entry: { experiment: string; flags: string[] }) => [entry.experiment, entry.flags])).toEqual([
      ['sigma_ladder', ['FAILED']],
      ['best_one', ['NEW BEST']],
    ]);
    expect((await cli(root, 'log', 'append', '--worker', 'W1', '--experiment', 'x', '--score', 'abc')).stderr).toBe(
      'ralph-tui: --score: expected a number, got "abc"',
    );
  });

  it('tail --entries --json gives each entry its line in the whole file, for the original log too', async () => {
    const root = workspaceWith();
    const log = path.join(root, 'ITERATION_LOG.md');
    fs.copyFileSync(path.join(fixturesDir, 'original', 'ITERATION_LOG.md'), log);
    const lines = fs.readFileSync(log, 'utf8').split('\n');
    const entries = JSON.parse((await cli(root, 'log', 'tail', '--entries', '-n', '3', '--json')).stdout) as Array<{
      line: number;
      header: string;
    }>;
    expect(entries).toHaveLength(3);
    for (const entry of entries) expect(lines[entry.line - 1]).toBe(entry.header);
    expect(entries.at(-1)!.header).toMatch(/^### \[W1\] Experiment: perturbed_extended_polish/);
  });

  it('tail -f prints lines appended by another process', async () => {
    const root = workspaceWith();
    fs.writeFileSync(path.join(root, 'ITERATION_LOG.md'), '# Iteration Log\n');
    const child = execa(process.execPath, [cliPath, '--workspace', root, 'log', 'tail', '-n', '1', '-f'], {
      reject: false,
    });
    let out = '';
    const seen = (text: string) =>
      new Promise<void>((resolve) => {
        const check = () => out.includes(text) && resolve();
        child.stdout!.on('data', (chunk: Buffer) => {
          out += chunk.toString();
          check();
        });
        check();
      });
    await seen('# Iteration Log');
    const appended = seen('### [W3] Experiment: followed');
    await cli(root, 'log', 'append', '--worker', 'W3', '--experiment', 'followed', '--score', '1.1', '--time', '40');
    await appended;
    child.kill('SIGTERM');
    const result = await child;
    expect(result.exitCode).toBe(0);
    expect(out).toContain('### [W3] Experiment: followed | Score: 1.1000 @ 40.0 min');
  });
});

describe('ralph-tui stop / resume / prompts', () => {
  it('stop creates STOP (graceful or forced), status shows it, resume removes it', async () => {
    const root = workspaceWith();
    expect((await cli(root, 'stop')).exitCode).toBe(0);
    expect(fs.readFileSync(sharedFile(root, 'STOP'), 'utf8')).toBe('graceful stop requested\n');
    await cli(root, 'stop', '--force', '--reason', 'runaway costs');
    expect(JSON.parse((await cli(root, 'status', '--json')).stdout).stop).toMatchObject({
      present: true,
      reason: 'forced: runaway costs',
      forced: true,
    });
    expect((await cli(root, 'resume')).stdout).toBe('STOP removed: agents continue.');
    expect(fs.existsSync(sharedFile(root, 'STOP'))).toBe(false);
    expect((await cli(root, 'resume')).stdout).toBe('No STOP was present.');
  });

  it('prompts writes UTF-8 prompt files for claude agents with focus, best and target; --best overrides', async () => {
    const root = workspaceWith({ 'coordination.json': 'coordination.json' });
    fs.writeFileSync(
      path.join(root, 'ralph.config.json'),
      JSON.stringify({
        targetScore: 1.3,
        agents: [
          { id: 'W0', role: 'orchestrator' },
          { id: 'W1', role: 'worker' },
          { id: 'W2', role: 'worker', focus: { area: 'polish', searchSpace: 'refine_maxiter 6–10' } },
          { id: 'W3', role: 'worker', kind: 'builtin' },
        ],
      }),
    );
    const result = await cli(root, 'prompts');
    expect(result.exitCode).toBe(0);
    expect(result.stdout.trim().split('\n')).toEqual(
      ['W0', 'W1', 'W2'].map((id) => `wrote ${sharedFile(root, `prompt_${id}.txt`)}`),
    );
    expect(fs.existsSync(sharedFile(root, 'prompt_W3.txt'))).toBe(false);
    const w0 = fs.readFileSync(sharedFile(root, 'prompt_W0.txt'), 'utf8');
    expect(w0).toContain('Current best in-budget score: 1.1689. Target: 1.3000.');
    expect(w0).toContain('ralph-tui queue add --name');
    expect(w0).toContain('Keep at least 5 experiments available');
    const w1 = fs.readFileSync(sharedFile(root, 'prompt_W1.txt'), 'utf8');
    expect(w1).toContain(
      'Your focus: threshold tuning. Search space: threshold_1src 0.28–0.42, threshold_2src 0.38–0.55, fallback_sigma [here: fallbackExcess1',
    );
    // The config the prompt shows is one `ralph-tui run` accepts.
    const shown = JSON.parse(/^ {3}(\{"seed".*\})$/m.exec(w1)![1]);
    expect(parseExperimentConfig(shown, 'prompt')).toEqual(shown);
    for (const step of [
      'ralph-tui queue claim --worker W1 --json',
      'ralph-tui run <name> --workers $(nproc) --progress json',
      'ralph-tui queue complete <id> --worker W1',
      'ralph-tui log append --worker W1',
    ])
      expect(w1).toContain(step);
    expect(w1).not.toMatch(/â€|Ã/); // no mojibake
    expect(fs.readFileSync(sharedFile(root, 'prompt_W2.txt'), 'utf8')).toContain(
      'Your focus: polish. Search space: refine_maxiter 6–10.',
    );
    await cli(root, 'prompts', '--best', '1.25');
    expect(fs.readFileSync(sharedFile(root, 'prompt_W1.txt'), 'utf8')).toContain(
      'Current best in-budget score: 1.2500.',
    );
  });

  it('status takes the target from ralph.config.json when coordination.json names none, even if the config is otherwise invalid', async () => {
    const root = workspaceWith({ 'coordination.json': 'coordination.json' });
    fs.writeFileSync(path.join(root, 'ralph.config.json'), JSON.stringify({ targetScore: 1.1, agents: [] }));
    const report = JSON.parse((await cli(root, 'status', '--json')).stdout);
    expect(report).toMatchObject({ target: 1.1, stop: { targetReached: true } });
  });

  it('prompts without a config says what to do (exit 2)', async () => {
    const result = await cli(workspaceWith(), 'prompts');
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toMatch(/^ralph-tui: no ralph.config.json in .* — run `ralph-tui init/);
  });

  it('the protocol commands have --help', async () => {
    for (const args of [
      ['status'],
      ['stop'],
      ['prompts'],
      ['queue', 'claim'],
      ['queue', 'complete'],
      ['log', 'tail'],
    ]) {
      const result = await runCli([...args, '--help']);
      expect(result.exitCode, args.join(' ')).toBe(0);
      expect(result.stdout).toContain('Usage: ralph-tui');
    }
  });
});
