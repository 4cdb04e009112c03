import fs from 'node:fs';
import path from 'node:path';
import { execa, type ResultPromise } from 'execa';
import { addExperiments, parseLogEntries, type LogEntry } from '../../orchestration/index.js';
import { FAST_EXPERIMENT_CONFIG } from '../../solver/experiment-config.js';
import { cliPath, fixturesDir, makeTempDir } from '../helpers/cli.js';

/** Real agent processes running real experiments: generous on a loaded 2-core machine (a run here takes seconds). */
export const REAL_PROCESS_TIMEOUT_MS = 180_000;

/**
 * Even smaller than FAST_EXPERIMENT_CONFIG: one short search per sample, so an experiment over a few
 * 200-step fixture samples takes seconds on a loaded 2-core machine.
 */
export const TINY_BASE = {
  ...FAST_EXPERIMENT_CONFIG,
  starts1: 1,
  starts2: 1,
  fevals1: 30,
  fevals2: 60,
  polishTopK: 1,
  polishIterations: 5,
  altStarts: 1,
  altIterations: 5,
  fallbackStarts: 0,
};

/** The built-in orchestrator W0, W1 on threshold tuning, and W2 on the focus given. */
export function builtinAgents(w2Focus: { area: string; searchSpace: string }) {
  return [
    { id: 'W0', role: 'orchestrator', kind: 'builtin' },
    {
      id: 'W1',
      role: 'worker',
      kind: 'builtin',
      focus: { area: 'threshold tuning', searchSpace: 'fallbackExcess1/2' },
    },
    { id: 'W2', role: 'worker', kind: 'builtin', focus: w2Focus },
  ];
}

/** A workspace with W0 and two built-in workers on the first `samples` samples of fixtures/synthetic-6.json. */
export function agentWorkspace(samples: number, prefix = 'ralph-agents-'): string {
  const root = makeTempDir(prefix);
  const dataset = JSON.parse(fs.readFileSync(path.join(fixturesDir, 'synthetic-6.json'), 'utf8'));
  dataset.samples = dataset.samples.slice(0, samples);
  fs.mkdirSync(path.join(root, 'data'));
  fs.writeFileSync(path.join(root, 'data', 'tiny.json'), JSON.stringify(dataset));
  const config = {
    agents: builtinAgents({ area: 'evaluation budgets', searchSpace: 'fevals' }),
    experiments: { dataset: 'data/tiny.json', workers: 1, base: TINY_BASE },
  };
  fs.writeFileSync(path.join(root, 'ralph.config.json'), JSON.stringify(config, null, 2));
  return root;
}

export async function queueExperiments(root: string, count: number): Promise<void> {
  await addExperiments(
    root,
    Array.from({ length: count }, (_, i) => ({
      name: `exp-${i + 1}`,
      family: 'budget',
      priority: 1 + i,
      config: { fevals1: 20 + 2 * i },
    })),
  );
}

/**
 * Gives the queued experiment `name` its own command: `node experiments/NAME/run.mjs`, running `script`.
 * Returns its folder and the experiment.json text written.
 */
export function experimentWithCommand(root: string, name: string, script: string): { dir: string; definition: string } {
  const dir = path.join(root, 'experiments', name);
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'run.mjs'), script);
  const definition = JSON.stringify({ name, command: `node experiments/${name}/run.mjs` });
  fs.writeFileSync(path.join(dir, 'experiment.json'), definition);
  return { dir, definition };
}

/** The entries of ITERATION_LOG.md; none while the file does not exist. */
export function loggedEntries(root: string): LogEntry[] {
  const file = path.join(root, 'ITERATION_LOG.md');
  return fs.existsSync(file) ? parseLogEntries(fs.readFileSync(file, 'utf8')) : [];
}

/** An experiment's STATE.json as parsed JSON. */
export function experimentState(root: string, name: string) {
  return JSON.parse(fs.readFileSync(path.join(root, 'experiments', name, 'STATE.json'), 'utf8'));
}

/** Given: a workspace on `samples` samples with `count` experiments queued (exp-1, exp-2, …). */
export async function queuedWorkspace(samples: number, count: number): Promise<string> {
  const root = agentWorkspace(samples);
  await queueExperiments(root, count);
  return root;
}

export interface AgentProcess {
  child: ResultPromise;
  output(): string;
  /** Resolves when the agent's output matches; rejects if the agent exits first. */
  waitFor(pattern: RegExp): Promise<void>;
}

/** `ralph-tui --workspace ROOT agent --id ID ...` as a real process, its output collected. */
export function startAgent(root: string, id: string, extra: string[] = []): AgentProcess {
  const child = execa(process.execPath, [cliPath, '--workspace', root, 'agent', '--id', id, ...extra], {
    reject: false,
    stdin: 'ignore',
    env: { FORCE_COLOR: '0' },
    timeout: 240_000,
  });
  let text = '';
  const waiters: Array<{ pattern: RegExp; resolve: () => void }> = [];
  const onData = (chunk: Buffer) => {
    text += chunk.toString();
    for (const waiter of [...waiters]) {
      if (waiter.pattern.test(text)) {
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve();
      }
    }
  };
  child.stdout?.on('data', onData);
  child.stderr?.on('data', onData);
  return {
    child,
    output: () => text,
    waitFor: (pattern) =>
      new Promise<void>((resolve, reject) => {
        if (pattern.test(text)) return resolve();
        waiters.push({ pattern, resolve });
        void child.then(() => {
          if (!pattern.test(text)) reject(new Error(`agent ${id} exited before printing ${pattern}; output:\n${text}`));
        });
      }),
  };
}
