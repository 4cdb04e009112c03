import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import pty from 'node-pty';
import xterm from '@xterm/headless';
import { FAST_EXPERIMENT_CONFIG } from '../../solver/experiment-config.js';
import { cliPath, fixturesDir, makeTempDir, repoRoot } from '../helpers/cli.js';

const { Terminal } = xterm;

/** An environment in which Ink draws live frames (with CI set it only writes the last one). */
export function interactiveEnv(extra: Record<string, string> = {}): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (value === undefined || key === 'CONTINUOUS_INTEGRATION' || key.startsWith('CI_') || key.startsWith('VITEST'))
      continue;
    env[key] = value;
  }
  return { ...env, CI: 'false', TERM: 'xterm-256color', COLORTERM: 'truecolor', ...extra };
}

/**
 * The real CLI in a real pty, its output parsed by a headless xterm: what a person would see. Every
 * wait polls the parsed screen and fails with the screen's text, so a failure shows what was drawn.
 */
export class ScreenSession {
  readonly terminal: InstanceType<typeof Terminal>;
  readonly exited: Promise<{ exitCode: number; signal?: number }>;
  private readonly proc: pty.IPty;
  private output = '';
  private readonly workspace: string | undefined;
  private readonly runAs: string[];

  /** `runAs`: argv that runs the CLI as another user (e.g. `runuser -u agent --`). */
  constructor(
    args: string[],
    options: { cols: number; rows: number; cwd?: string; env?: Record<string, string>; runAs?: string[] },
  ) {
    this.terminal = new Terminal({ cols: options.cols, rows: options.rows, scrollback: 0, allowProposedApi: true });
    const at = args.indexOf('--workspace');
    this.workspace = at >= 0 ? args[at + 1] : undefined;
    this.runAs = options.runAs ?? [];
    const argv = [...(options.runAs ?? []), process.execPath, cliPath, ...args];
    this.proc = pty.spawn(argv[0]!, argv.slice(1), {
      name: 'xterm-256color',
      cols: options.cols,
      rows: options.rows,
      cwd: options.cwd ?? repoRoot,
      env: interactiveEnv(options.env),
    });
    this.proc.onData((data) => {
      this.output += data;
      this.terminal.write(data);
    });
    // Answers to the program's terminal queries (cursor position, device attributes) go back to it.
    this.terminal.onData((data) => this.proc.write(data));
    this.exited = new Promise((resolve) => this.proc.onExit(resolve));
  }

  get pid(): number {
    return this.proc.pid;
  }

  /** Everything the program wrote so far (raw bytes, escape sequences included). */
  rawOutput(): string {
    return this.output;
  }

  /** The visible screen, one string per row (trailing spaces trimmed). */
  lines(): string[] {
    const buffer = this.terminal.buffer.active;
    const lines: string[] = [];
    for (let y = 0; y < this.terminal.rows; y++)
      lines.push(buffer.getLine(buffer.viewportY + y)?.translateToString(true) ?? '');
    return lines;
  }

  text(): string {
    return this.lines().join('\n');
  }

  press(...sequences: string[]): void {
    for (const sequence of sequences) this.proc.write(sequence);
  }

  resize(cols: number, rows: number): void {
    this.terminal.resize(cols, rows);
    this.proc.resize(cols, rows);
  }

  kill(signal: NodeJS.Signals): void {
    try {
      process.kill(this.proc.pid, signal);
    } catch {
      // Already gone.
    }
  }

  /** Waits (polling the parsed screen) until `check` holds; throws with the screen after `timeoutMs`. */
  async waitFor(
    description: string,
    check: (text: string, lines: string[]) => boolean,
    timeoutMs = 15_000,
  ): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      await new Promise<void>((resolve) => this.terminal.write('', resolve));
      const lines = this.lines();
      if (check(lines.join('\n'), lines)) return;
      if (Date.now() > deadline)
        throw new Error(`timed out waiting for ${description}; the screen shows:\n${lines.join('\n')}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  async waitForText(text: string, timeoutMs?: number): Promise<void> {
    await this.waitFor(JSON.stringify(text), (screen) => screen.includes(text), timeoutMs);
  }

  /**
   * Ends the screen if a test left it running, then the supervisor service it started (the agents live there, not
   * in the screen): `ralph-tui down`, as the user the screen ran as.
   */
  async close(): Promise<void> {
    const done = await Promise.race([
      this.exited.then(() => true),
      new Promise((resolve) => setTimeout(() => resolve(false), 0)),
    ]);
    if (!done) {
      this.kill('SIGTERM');
      const ended = await Promise.race([
        this.exited.then(() => true),
        new Promise<boolean>((resolve) => setTimeout(() => resolve(false), 12_000)),
      ]);
      if (!ended) this.kill('SIGKILL');
    }
    if (this.workspace) stopService(this.workspace, this.runAs);
  }
}

/** `ralph-tui down` on a workspace a test used: its service and agents end with the test. */
export function stopService(workspace: string, runAs: string[] = []): void {
  const argv = [...runAs, process.execPath, cliPath, '--workspace', workspace, 'down'];
  spawnSync(argv[0]!, argv.slice(1), { stdio: 'ignore', timeout: 60_000 });
}

export const fakeClaude = path.join(repoRoot, 'test', 'fake-agents', 'fake-claude.mjs');
export const streamAgent = path.join(repoRoot, 'test', 'e2e', 'stream-agent.mjs');
export const keyAgent = path.join(repoRoot, 'test', 'e2e', 'key-agent.mjs');

/**
 * A workspace of fake agents (kind custom, local) holding the original deployment's queue, coordination
 * and ITERATION_LOG, plus a 2-sample dataset and a fast experiment "tiny".
 */
export function fakeAgentWorkspace(agents = ['W0', 'W1', 'W2'], command = `node ${fakeClaude}`): string {
  const root = makeTempDir('ralph-e2e-');
  const shared = path.join(root, 'orchestration', 'shared');
  fs.mkdirSync(shared, { recursive: true });
  const original = path.join(fixturesDir, 'original');
  fs.copyFileSync(path.join(original, 'experiment_queue.json'), path.join(shared, 'experiment_queue.json'));
  fs.copyFileSync(path.join(original, 'coordination.json'), path.join(shared, 'coordination.json'));
  fs.copyFileSync(path.join(original, 'ITERATION_LOG.md'), path.join(root, 'ITERATION_LOG.md'));
  const dataset = JSON.parse(fs.readFileSync(path.join(fixturesDir, 'synthetic-6.json'), 'utf8')) as {
    samples: unknown[];
  };
  fs.mkdirSync(path.join(root, 'data'), { recursive: true });
  fs.writeFileSync(
    path.join(root, 'data', 'tiny.json'),
    JSON.stringify({ ...dataset, samples: dataset.samples.slice(0, 2) }),
  );
  fs.mkdirSync(path.join(root, 'experiments', 'tiny'), { recursive: true });
  fs.writeFileSync(
    path.join(root, 'experiments', 'tiny', 'experiment.json'),
    JSON.stringify(
      {
        name: 'tiny',
        description: 'two samples, fast budgets',
        dataset: 'data/tiny.json',
        config: FAST_EXPERIMENT_CONFIG,
      },
      null,
      2,
    ),
  );
  const config = {
    name: 'e2e',
    runtime: 'local',
    agents: agents.map((id, index) => ({
      id,
      role: index === 0 ? 'orchestrator' : 'worker',
      kind: 'custom',
      command,
      prompt: 'off',
    })),
    experiments: { dataset: 'data/tiny.json', workers: 1 },
  };
  fs.writeFileSync(path.join(root, 'ralph.config.json'), JSON.stringify(config, null, 2));
  return root;
}
