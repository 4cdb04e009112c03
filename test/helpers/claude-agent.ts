// Runs the real Claude CLI under the real supervisor as a non-root user, against the scripted model.
import fs from 'node:fs';
import path from 'node:path';
import { execa, execaSync, type ResultPromise } from 'execa';
import { cliPath, repoRoot } from './repo-paths.js';

/** The CLI installed as a dev dependency (its native binary comes with the platform's optional package). */
export const claudeBin = path.join(repoRoot, 'node_modules', '.bin', 'claude');

/** A key the CLI accepts by its shape; only the scripted model ever sees it. */
export const TEST_API_KEY = 'sk-ant-api03-scripted-model-key-0123456789abcdefghij';

/** The user the agents run as: the CLI refuses --dangerously-skip-permissions as root. */
const AGENT_USER = 'ralph-agent';

export interface AgentUser {
  name: string;
  uid: number;
  gid: number;
}

/**
 * The non-root user for agents: this user when the tests do not run as root, else `ralph-agent` (created with
 * useradd on first use). The repository must be readable by it, since its agents run this install.
 */
export function agentUser(): AgentUser | null {
  if (process.getuid?.() !== 0) return null;
  if (execaSync('id', ['-u', AGENT_USER], { reject: false }).exitCode !== 0) {
    execaSync('useradd', ['--system', '--create-home', '--shell', '/bin/sh', AGENT_USER]);
  }
  const uid = Number(execaSync('id', ['-u', AGENT_USER]).stdout);
  const gid = Number(execaSync('id', ['-g', AGENT_USER]).stdout);
  const readable = execaSync('runuser', ['-u', AGENT_USER, '--', 'test', '-r', cliPath], { reject: false });
  if (readable.exitCode !== 0)
    throw new Error(
      `${AGENT_USER} cannot read ${cliPath}: make the checkout readable (chmod o+rx on its parent folders)`,
    );
  return { name: AGENT_USER, uid, gid };
}

/** argv run as the agent user (unchanged when the tests are not root). */
export function asAgent(argv: string[]): string[] {
  const user = agentUser();
  return user ? ['runuser', '-u', user.name, '--', ...argv] : argv;
}

/** Gives a folder (recursively) to the agent user. */
export function giveToAgent(dir: string): void {
  const user = agentUser();
  if (user) execaSync('chown', ['-R', `${user.uid}:${user.gid}`, dir]);
}

export interface ClaudeAgentSpec {
  id: string;
  role: 'orchestrator' | 'worker';
  prompt: string;
  /** Arguments after `claude` (default: bypass mode, as agents run). */
  args?: string;
  /** Extra config for the agent (env, claudeOnboarding, runtime, ...). */
  extra?: Record<string, unknown>;
}

/**
 * A workspace made by `ralph-tui init`, owned by the agent user, whose agents are the given Claude agents pointed at
 * the scripted model (ANTHROPIC_BASE_URL per agent), with the loop timings given.
 */
export async function claudeWorkspace(
  root: string,
  options: {
    agents: ClaudeAgentSpec[];
    baseUrl: (id: string) => string;
    loop?: Record<string, unknown>;
    config?: Record<string, unknown>;
  },
): Promise<string> {
  fs.chmodSync(root, 0o755);
  giveToAgent(root);
  const init = await ralphAsAgent(root, ['init', root, '--agents', 'claude', '--runtime', 'local', '--workers', '1']);
  if (init.exitCode !== 0) throw new Error(`ralph-tui init failed: ${String(init.stderr)}`);
  const file = path.join(root, 'ralph.config.json');
  const config = JSON.parse(fs.readFileSync(file, 'utf8'));
  config.agents = options.agents.map((agent) => ({
    id: agent.id,
    role: agent.role,
    kind: 'claude',
    command: `${claudeBin} ${agent.args ?? '--dangerously-skip-permissions'}`,
    prompt: { text: agent.prompt },
    env: { ANTHROPIC_BASE_URL: options.baseUrl(agent.id) },
    ...agent.extra,
  }));
  config.loop = {
    readySettleMs: 1500,
    shortSessionSeconds: 1,
    restartDelayMs: 500,
    errorBackoffMs: 500,
    ...options.loop,
  };
  Object.assign(config, options.config);
  fs.writeFileSync(file, JSON.stringify(config, null, 2));
  giveToAgent(root);
  return root;
}

/**
 * A local agent's config folder as a person leaves it after the theme and login screens, the part of first run that
 * needs api.anthropic.com (the CLI checks connectivity there before its first screen and exits with "Unable to
 * connect to Anthropic services" on a machine without network): the trust, API key and bypass screens remain.
 */
export function onboardedOffline(root: string, agentId: string): void {
  const dir = path.join(root, '.ralph', 'claude', agentId);
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, '.claude.json'), JSON.stringify({ hasCompletedOnboarding: true }));
  giveToAgent(path.join(root, '.ralph'));
}

/** Runs a ralph-tui command in the workspace as the agent user. */
export async function ralphAsAgent(root: string, args: string[]) {
  const argv = asAgent([process.execPath, cliPath, ...args, '--workspace', root]);
  return execa(argv[0]!, argv.slice(1), { reject: false });
}

/** `ralph-tui up --headless` as the agent user, its event lines collected and awaitable. */
export class HeadlessRun {
  readonly lines: string[] = [];
  private readonly child: ResultPromise;
  private waiters: { pattern: RegExp; resolve: (line: string) => void }[] = [];
  readonly exited: Promise<number>;

  constructor(root: string, env: Record<string, string> = {}, args: string[] = [], options: { asRoot?: boolean } = {}) {
    const command = [
      'env',
      ...Object.entries({ FORCE_COLOR: '0', ...env }).map(([key, value]) => `${key}=${value}`),
      process.execPath,
      cliPath,
      'up',
      '--headless',
      '--workspace',
      root,
      ...args,
    ];
    const argv = options.asRoot ? command : asAgent(command);
    this.child = execa(argv[0]!, argv.slice(1), {
      reject: false,
      buffer: false,
      env: { ...process.env, ANTHROPIC_API_KEY: '' },
      extendEnv: true,
    });
    let pending = '';
    this.child.stdout!.on('data', (data: Buffer) => {
      pending += data.toString();
      const parts = pending.split('\n');
      pending = parts.pop() ?? '';
      for (const line of parts) this.add(line);
    });
    this.child.stderr!.on('data', (data: Buffer) => this.add(`stderr: ${data.toString().trimEnd()}`));
    this.exited = this.child.then((result) => result.exitCode ?? -1);
  }

  private add(line: string): void {
    this.lines.push(line);
    this.waiters = this.waiters.filter((waiter) => {
      if (!waiter.pattern.test(line)) return true;
      waiter.resolve(line);
      return false;
    });
  }

  /** The first line (already printed or to come) matching the pattern. */
  waitFor(pattern: RegExp, timeoutMs = 90_000): Promise<string> {
    const seen = this.lines.find((line) => pattern.test(line));
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`no line matching ${pattern} within ${timeoutMs} ms; lines:\n${this.lines.join('\n')}`)),
        timeoutMs,
      );
      this.waiters.push({ pattern, resolve: (line) => (clearTimeout(timer), resolve(line)) });
    });
  }

  matching(pattern: RegExp): string[] {
    return this.lines.filter((line) => pattern.test(line));
  }

  /** The supervisor's own pid: the node process (a child of `runuser` when the tests run as root). */
  supervisorPid(): number {
    const pid = this.child.pid!;
    // Its argv is node, the CLI, then `up`; runuser's holds the CLI further on.
    const isSupervisor = (candidate: number) => processArgs(candidate)[1] === cliPath;
    if (isSupervisor(pid)) return pid;
    const children = execaSync('pgrep', ['-P', String(pid)], { reject: false })
      .stdout.split('\n')
      .map(Number);
    const found = children.find((child) => child > 0 && isSupervisor(child));
    if (!found) throw new Error(`no ralph-tui supervisor under pid ${pid}`);
    return found;
  }

  /** SIGTERM (through `runuser`) to the supervisor, which stops its agents; resolves with the exit code (-1: by a signal). */
  async stop(): Promise<number> {
    this.child.kill('SIGTERM');
    return this.exited;
  }
}

/** A live process's argv ([] once it is gone). */
export function processArgs(pid: number): string[] {
  try {
    return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean);
  } catch {
    return [];
  }
}

/** The visible text of an agent's transcript (colour and cursor codes removed). */
export function transcriptText(root: string, id: string): string {
  const raw = fs.readFileSync(path.join(root, '.ralph', 'transcripts', `${id}.log`), 'utf8');
  // Claude Code draws some spaces as cursor moves (ESC[nC, ESC[nG): they read as spaces.
  return raw
    .replace(/\x1b\[\d*[CG]/g, ' ')
    .replace(/\x1b\][^\x07\x1b]*(\x07|\x1b\\)/g, '')
    .replace(/\x1b\[[0-9;?>]*[a-zA-Z]/g, '')
    .replace(/\x1b[()][A-Z0-9]/g, '');
}
