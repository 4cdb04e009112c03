// Creates or refreshes a workspace: configuration, synthetic dataset, shared files and prompts.
import { ensureDir, entry, exists, PRIVATE_FILE_MODE, removeFile } from '../../core/safe-fs.js';
import path from 'node:path';
import { addExperiments, DEFAULT_TARGET, readQueue, writePrompts } from '../../orchestration/index.js';
import { newCoordination } from '../../orchestration/coordination.js';
import { writeTextAtomic } from '../../orchestration/json-store.js';
import { writeDataset } from '../../solver/dataset.js';
import { generateDataset } from '../../solver/synthetic-dataset.js';
import { FAST_EXPERIMENT_CONFIG } from '../../solver/experiment-config.js';
import { experimentBase, workerFamilies } from '../agents/orchestrator-agent.js';
import { proposeExperiments } from '../agents/proposals.js';
import { parseConfig, resolveAgents, type RalphConfig } from '../config.js';
import { UserError } from '../../core/errors.js';
import { workspacePaths } from '../../core/workspace-paths.js';
import { type AgentKind, hostTopology, planAgents } from './plan-agents.js';

export interface InitOptions {
  /** One kind for every agent, or per agent from W0 (the last repeats): ['claude', 'builtin'] = Claude W0, built-in workers. */
  agents?: AgentKind | AgentKind[];
  runtime?: 'local' | 'docker';
  /** Workers besides W0; default one per spare CPU (CPUs − 1), at least 1. */
  workers?: number;
  /** Rewrite the configuration, dataset and prompts of an existing workspace (history is kept). */
  force?: boolean;
  /** Samples in data/synthetic.json (default DEFAULT_SAMPLES) and the generator's seed. */
  samples?: number;
  seed?: number;
  /** CPUs to size for instead of the host's (tests). */
  cpus?: number;
}

/**
 * Eight samples: with FAST_EXPERIMENT_CONFIG a first experiment takes about a minute on one core of a
 * loaded 2-core machine (measured in bench/agents and test/init), so the screen shows results quickly.
 */
export const DEFAULT_SAMPLES = 8;
export const DEFAULT_SEED = 1;
const DATASET = 'data/synthetic.json';
/** Variations queued next to the baseline so every worker has something to claim from the start. */
const INITIAL_VARIATIONS = 4;

export function workspaceNeedsInit(root: string): boolean {
  return !exists(workspacePaths(root).config);
}

export interface InitReport {
  root: string;
  config: RalphConfig;
  written: string[];
}

/** The ralph.config.json object for these options (what `init` writes, before validation). */
export function buildConfig(options: InitOptions): Record<string, unknown> {
  const kinds = Array.isArray(options.agents) ? options.agents : [options.agents ?? 'builtin'];
  const agents = planAgents({ kinds, workers: options.workers, topology: hostTopology(options.cpus) });
  const builtinWorkers = agents.some((agent) => agent.role === 'worker' && agent.kind === 'builtin');
  return {
    targetScore: DEFAULT_TARGET,
    budgetMinutes: 60,
    budgetWorkers: 7,
    runtime: options.runtime ?? 'local',
    agents,
    experiments: {
      dataset: DATASET,
      workers: 1,
      // Small budgets so the built-in workers finish an experiment on the small dataset in about a minute.
      ...(builtinWorkers ? { base: { ...FAST_EXPERIMENT_CONFIG } } : {}),
    },
  };
}

/**
 * Creates (or with `force` refreshes) a workspace: dataset, queue (baseline + a few variations),
 * coordination.json, prompts, ITERATION_LOG header, and ralph.config.json last — so an interrupted init
 * leaves no config behind and simply runs again.
 */
export async function initWorkspace(root: string, options: InitOptions = {}): Promise<InitReport> {
  const paths = workspacePaths(root);
  if (!workspaceNeedsInit(root) && !options.force) {
    throw new UserError(
      `${root} is already a ralph-tui workspace (ralph.config.json exists); use --force to rewrite its configuration, dataset and prompts`,
    );
  }
  // The file keeps defaults implicit (later releases can improve them); the parsed form drives the rest.
  const raw = buildConfig(options);
  const config = parseConfig(raw, 'generated ralph.config.json');
  const written: string[] = [];
  ensureDir(paths.shared);

  // A folder from an existing deployment (queue, log, data but no ralph.config.json) keeps its files: the dataset
  // is only replaced with --force, and a queue that already has entries is not seeded.
  const datasetFile = path.join(root, DATASET);
  if (options.force || !exists(datasetFile)) {
    ensureDir(path.dirname(datasetFile));
    // The solver's writer (write-file-atomic) resolves links: a link planted at the dataset path goes first.
    if (entry(datasetFile).kind === 'symlink') removeFile(datasetFile);
    await writeDataset(
      datasetFile,
      generateDataset({ samples: options.samples ?? DEFAULT_SAMPLES, seed: options.seed ?? DEFAULT_SEED }),
    );
    written.push(datasetFile);
  }

  const queue = readQueue(root);
  if (queue.entries.length === 0) {
    const base = experimentBase(config);
    const baseline = {
      name: 'baseline',
      family: 'baseline',
      priority: 1,
      description: 'The workspace base configuration, unchanged: the score every variation is compared with.',
      config: {},
    };
    const variations = proposeExperiments({
      base,
      families: workerFamilies(config, base),
      center: {},
      centerLabel: 'the base configuration',
      existing: [...queue.entries, baseline],
      count: INITIAL_VARIATIONS,
      priority: 5,
    });
    await addExperiments(root, [baseline, ...variations]);
    written.push(paths.queue);
  }

  if (!exists(paths.coordination)) {
    await writeTextAtomic(paths.coordination, `${JSON.stringify(newCoordination(), null, 2)}\n`);
    written.push(paths.coordination);
  }

  written.push(...(await writePrompts(root, { ...config, agents: resolveAgents(config, root) })));

  if (!exists(paths.iterationLog)) {
    await writeTextAtomic(paths.iterationLog, logHeader(config));
    written.push(paths.iterationLog);
  }

  await writeTextAtomic(paths.config, `${JSON.stringify(raw, null, 2)}\n`, { mode: PRIVATE_FILE_MODE });
  written.push(paths.config);
  return { root, config, written };
}

function logHeader(config: RalphConfig): string {
  const workers = config.agents.filter((agent) => agent.role === 'worker').map((agent) => agent.id);
  return [
    '# Iteration Log - Heat Signature Zero',
    '',
    `Target: ${config.targetScore} | Budget: ${config.budgetMinutes} min for 400 samples at ${config.budgetWorkers} workers | Dataset: ${config.experiments.dataset}`,
    '',
    `W0 keeps the queue (orchestration/shared/experiment_queue.json) filled; ${workers.join(', ')} claim experiments, run them and append`,
    'their results below as `### [W1] Experiment: <name> | Score: S @ T min` entries.',
    '',
    '---',
    '',
  ].join('\n');
}
