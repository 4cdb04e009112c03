import fs from 'node:fs';
import path from 'node:path';
import { parseConfig, type RalphConfig } from '../../src/config.js';
import { Supervisor, type SupervisorEvent } from '../../src/supervisor/index.js';
import { makeTempDir, repoRoot } from '../helpers/cli.js';

export const fakeClaude = path.join(repoRoot, 'test', 'fake-agents', 'fake-claude.mjs');

/** `node …/fake-claude.mjs ARGS` as an agent command (quoted for sh -c). */
export function fakeClaudeCommand(args = ''): string {
  return `'${process.execPath}' '${fakeClaude}' ${args}`.trim();
}

/** Fast loop timings for tests: the real defaults are minutes. */
export const fastLoop = {
  restartDelayMs: 50,
  errorBackoffMs: 100,
  maxBackoffMs: 400,
  shortSessionSeconds: 60,
  idleSeconds: 0.5,
  idleNudgeMinutes: 60,
  readySettleMs: 250,
};

/** A temp workspace holding ralph.config.json with the given agents (kind custom, local runtime). */
export function makeWorkspace(config: Record<string, unknown>): { root: string; config: RalphConfig } {
  const root = makeTempDir('ralph-sup-');
  const raw = { name: 'test', runtime: 'local', ...config, loop: { ...fastLoop, ...(config.loop as object) } };
  fs.writeFileSync(path.join(root, 'ralph.config.json'), JSON.stringify(raw, null, 2));
  return { root, config: parseConfig(raw) };
}

const launched: Supervisor[] = [];

/** Given: a supervisor (100×30) over a new workspace with this config, its events recorded; not started yet. */
export function launchSupervisor(config: Record<string, unknown>) {
  const ws = makeWorkspace(config);
  const supervisor = new Supervisor({ workspace: ws.root, config: ws.config, cols: 100, rows: 30 });
  launched.push(supervisor);
  return { ...ws, supervisor, recorder: new EventRecorder(supervisor) };
}

/** Shuts down every supervisor launchSupervisor made (for afterEach). */
export async function shutdownLaunched(): Promise<void> {
  await Promise.all(launched.splice(0).map((supervisor) => supervisor.shutdown()));
}

/** A Docker workspace of one worker W1 (kind custom) running `command` in `image`, its container named after `name`. */
export function dockerAgentWorkspace(options: {
  name: string;
  image: string;
  command: string;
  prompt: 'off' | { text: string };
  memory: string;
}): { root: string; config: RalphConfig } {
  const { name, image, command, prompt, memory } = options;
  return makeWorkspace({
    name,
    runtime: 'docker',
    image,
    agents: [{ id: 'W1', role: 'worker', kind: 'custom', command, prompt, memory }],
  });
}

/** Collects a supervisor's events (subscribe before start) and waits for the ones a test expects. */
export class EventRecorder {
  readonly events: SupervisorEvent[] = [];
  private waiters: Array<{ match: (event: SupervisorEvent) => boolean; count: number; resolve: () => void }> = [];

  constructor(supervisor: Supervisor) {
    supervisor.onEvent((event) => {
      this.events.push(event);
      this.waiters = this.waiters.filter((waiter) => {
        if (this.events.filter(waiter.match).length < waiter.count) return true;
        waiter.resolve();
        return false;
      });
    });
  }

  of(type: SupervisorEvent['type'], agent?: string): SupervisorEvent[] {
    return this.events.filter((event) => event.type === type && (!agent || event.agent === agent));
  }

  /** Resolves when `count` events match (the test's timeout bounds the wait). */
  waitFor(match: (event: SupervisorEvent) => boolean, count = 1): Promise<void> {
    if (this.events.filter(match).length >= count) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push({ match, count, resolve }));
  }
}

export function readTranscript(root: string, id: string): string {
  return fs.readFileSync(path.join(root, '.ralph', 'transcripts', `${id}.log`), 'utf8');
}

export function count(haystack: string, needle: string): number {
  return haystack.split(needle).length - 1;
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Resolves once the condition holds (checked every 50 ms); throws after `ms` (the test's own timeout may be shorter). */
export async function waitUntil(condition: () => boolean, ms = 60_000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`${what} not met within ${ms} ms`);
    await sleep(50);
  }
}
