// The `ralph-tui compose` command: prints the docker compose file equivalent to the agent containers.
import path from 'node:path';
import { type Command, InvalidArgumentError } from 'commander';
import {
  composeFile,
  flatTopology,
  prepareWorkspaceMounts,
  ralphInstallDir,
  workspaceUser,
  type WorkspaceMounts,
} from '../../docker/index.js';
import { DEFAULT_AGENT_UID } from '../../docker/container-spec.js';
import { loadConfig, resolveAgent, type RalphConfig } from '../config.js';
import { workspaceOf } from './workspace-option.js';
import { ensureDir, writeAtomic } from '../../core/safe-fs.js';

function count(min: number) {
  return (value: string): number => {
    const parsed = Number(value);
    if (!Number.isInteger(parsed) || parsed < min) throw new InvalidArgumentError(`expected a whole number ≥ ${min}.`);
    return parsed;
  };
}

/** The compose file's user: the workspace owner, or the image's agent user when root owns it. */
function composeUser(root: string): string {
  try {
    return workspaceUser(root);
  } catch {
    return `${DEFAULT_AGENT_UID}:${DEFAULT_AGENT_UID}`;
  }
}

/** Workers W1..WN from the config; missing ones copy the last configured worker with a new id. */
function agentsFor(config: RalphConfig, workers?: number): RalphConfig['agents'] {
  const orchestrators = config.agents.filter((agent) => agent.role === 'orchestrator');
  const configured = config.agents.filter((agent) => agent.role === 'worker');
  if (workers === undefined) return [...orchestrators, ...configured];
  const template = configured.at(-1) ?? { id: 'W1', role: 'worker' as const, kind: 'claude' as const, env: {} };
  const list = Array.from({ length: workers }, (_, i) => {
    const id = `W${i + 1}`;
    return (
      configured.find((agent) => agent.id === id) ?? { ...template, id, cpuset: undefined, containerName: undefined }
    );
  });
  return [...orchestrators.filter((agent) => !list.some((worker) => worker.id === agent.id)), ...list];
}

/**
 * The folders agents write (run progress, their status folders) must exist before `docker compose up`: made here.
 * Where `.ralph` cannot be written (inside an agent's container it is read-only), the layout as it will be.
 */
function composeMounts(root: string, agentId: string, user: string): WorkspaceMounts | undefined {
  try {
    return prepareWorkspaceMounts(root, agentId, user);
  } catch (error) {
    if (['EACCES', 'EROFS', 'EPERM'].includes((error as NodeJS.ErrnoException).code ?? '')) return undefined;
    throw error;
  }
}

interface ComposeCommandOptions {
  cores?: number;
  workers?: number;
  perWorker?: number;
  reserve: number;
  wholeCores?: boolean;
  out?: string;
}

export function registerCompose(program: Command): void {
  program
    .command('compose')
    .description('print the docker-compose file equivalent to the agent containers (cpusets planned per worker)')
    .option('--cores <n>', 'plan for a host with this many CPUs instead of this one', count(1))
    .option('--workers <n>', 'number of workers W1..WN (default: the workers in ralph.config.json)', count(1))
    .option('--per-worker <n>', 'CPUs (or whole cores) per worker (default: as many as divide evenly)', count(1))
    .option('--reserve <n>', 'physical cores kept for the system and the orchestrator', count(0), 1)
    .option('--whole-cores', 'give workers whole physical cores (all SMT siblings)')
    .option('-o, --out <file>', 'write the file (atomically) instead of printing it')
    .action(async (options: ComposeCommandOptions, command: Command) => {
      const root = workspaceOf(command);
      const config = loadConfig(root);
      const agents = agentsFor(config, options.workers).map((agent) => resolveAgent(config, agent, root));
      const user = composeUser(root);
      const yaml = composeFile({ name: config.name, agents }, root, {
        ralphInstallDir: ralphInstallDir(),
        user,
        mounts: (agentId) => composeMounts(root, agentId, user),
        perWorker: options.perWorker,
        reserveSystem: options.reserve,
        wholeCores: options.wholeCores,
        topology: options.cores === undefined ? undefined : flatTopology(options.cores),
      });
      if (!options.out) {
        process.stdout.write(yaml);
        return;
      }
      const out = path.resolve(options.out);
      ensureDir(path.dirname(out));
      await writeAtomic(out, yaml);
      process.stdout.write(`wrote ${out}\n`);
    });
}
