/**
 * bench:claude — the real Claude CLI (the dev dependency) under `ralph-tui up --headless`, against the scripted model
 * on localhost, as a non-root user. Measured per round:
 *   - start: `ralph-tui up` spawned → prompt delivered (supervisor event) → the prompt reaching the model;
 *   - state latency: the model's reply fully sent → the supervisor's state event, for "needs-input" (a permission
 *     box of a non-bypass agent) and "idle" (the end of a turn), once with the hooks (the default) and once with the
 *     hooks silenced (RALPH_STATUS_FILE empty), i.e. the screen rules and output timing alone.
 *
 *   npm run bench:claude -- [--rounds 3] [--idle-seconds 5] [--json]
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { claudeWorkspace, HeadlessRun, TEST_API_KEY } from '../test/helpers/claude-agent.js';
import { ScriptedModel } from '../test/helpers/scripted-model.js';

interface Round {
  mode: 'hooks' | 'screen';
  promptDeliveredMs: number;
  promptAtModelMs: number;
  needsInputMs: number;
  idleMs: number;
}

function option(argv: string[], name: string, fallback: number): number {
  const at = argv.indexOf(name);
  const value = at >= 0 ? Number(argv[at + 1]) : fallback;
  if (!Number.isFinite(value) || value <= 0) throw new Error(`${name}: expected a positive number`);
  return value;
}

function readEvents(root: string): { time: string; agent: string; type: string; state?: string }[] {
  return fs
    .readFileSync(path.join(root, '.ralph', 'events.jsonl'), 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line));
}

async function round(model: ScriptedModel, mode: Round['mode'], idleSeconds: number): Promise<Round> {
  // W1 asks for a permission (non-bypass); W2 answers with text and ends its turn.
  model.setScript('W1', { steps: [{ reply: { text: 'I need to create a file.', bash: 'touch bench-file' } }] });
  model.setScript('W2', { steps: [{ reply: { text: 'Done for now.' } }] });
  const silenced = mode === 'screen' ? { RALPH_STATUS_FILE: '' } : {};
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'ralph-bench-claude-'));
  try {
    fs.chmodSync(root, 0o755);
    await claudeWorkspace(root, {
      agents: [
        {
          id: 'W1',
          role: 'worker',
          prompt: 'Create the file.',
          args: '--permission-mode default',
          extra: { env: { ANTHROPIC_BASE_URL: model.baseUrl('W1'), ...silenced } },
        },
        {
          id: 'W2',
          role: 'worker',
          prompt: 'Say you are done.',
          extra: { env: { ANTHROPIC_BASE_URL: model.baseUrl('W2'), ...silenced } },
        },
      ],
      baseUrl: (id) => model.baseUrl(id),
      loop: { idleSeconds, idleNudgeMinutes: 60 },
    });
    const started = Date.now();
    const run = new HeadlessRun(root, { ANTHROPIC_API_KEY: TEST_API_KEY });
    try {
      await run.waitFor(/W1 state needs-input/, 120_000);
      await run.waitFor(/W2 state idle/, 120_000);
    } finally {
      await run.stop();
    }
    const events = readEvents(root);
    const at = (agent: string, match: (event: (typeof events)[number]) => boolean) =>
      Date.parse(events.find((event) => event.agent === agent && match(event))!.time);
    const reply = (agent: string) => model.turns(agent)[0]!;
    return {
      mode,
      promptDeliveredMs: at('W2', (event) => event.type === 'prompt-delivered') - started,
      promptAtModelMs: reply('W2').time - started,
      needsInputMs: at('W1', (event) => event.state === 'needs-input') - reply('W1').repliedAt!,
      idleMs: at('W2', (event) => event.state === 'idle') - reply('W2').repliedAt!,
    };
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const rounds = option(argv, '--rounds', 3);
  const idleSeconds = option(argv, '--idle-seconds', 5);
  const model = new ScriptedModel();
  await model.listen();
  const results: Round[] = [];
  try {
    for (let i = 0; i < rounds; i++)
      for (const mode of ['hooks', 'screen'] as const) results.push(await round(model, mode, idleSeconds));
  } finally {
    await model.close();
  }
  if (argv.includes('--json')) {
    console.log(JSON.stringify({ rounds, idleSeconds, results }, null, 2));
    return;
  }
  const row = (label: string, pick: (round: Round) => number) => {
    const cells = (['hooks', 'screen'] as const).map((mode) => {
      const values = results.filter((result) => result.mode === mode).map(pick);
      return `${mode}: median ${Math.round(median(values))} ms (${values.map((value) => Math.round(value)).join(', ')})`;
    });
    console.log(`${label.padEnd(34)} ${cells.join(' | ')}`);
  };
  console.log(
    `bench:claude — Claude Code ${fs.existsSync(path.join('node_modules', '@anthropic-ai', 'claude-code', 'package.json')) ? JSON.parse(fs.readFileSync(path.join('node_modules', '@anthropic-ai', 'claude-code', 'package.json'), 'utf8')).version : '?'}, ${rounds} rounds, idleSeconds ${idleSeconds}, load average ${os.loadavg()[0]!.toFixed(1)}`,
  );
  row('up → prompt delivered', (result) => result.promptDeliveredMs);
  row('up → prompt at the model', (result) => result.promptAtModelMs);
  row('reply sent → needs-input', (result) => result.needsInputMs);
  row('reply sent → idle', (result) => result.idleMs);
}

await main();
