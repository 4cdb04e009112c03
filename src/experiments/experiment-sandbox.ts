// Where experiments started from the screen run: in a Docker workspace, in a container with the agents' sandbox.
import os from 'node:os';
import { resolveAgent, type RalphConfig } from '../config.js';
import type { ExperimentRunnerOptions } from './experiment-runner.js';

/**
 * The runner's sandbox for a workspace whose agents run in Docker: an experiment's command may come from a file an
 * agent wrote, so it never runs on the host unconfined. Local-only workspaces get none (the host runs it).
 */
export async function experimentSandbox(
  root: string,
  config: RalphConfig,
): Promise<ExperimentRunnerOptions['sandbox']> {
  const inDocker = config.agents
    .map((agent) => resolveAgent(config, agent, root))
    .filter((agent) => agent.runtime === 'docker');
  if (inDocker.length === 0) return undefined;
  // Loaded only here: a local-only team never needs dockerode.
  const docker = await import('../../docker/index.js');
  const ralphInstallDir = docker.ralphInstallDir();
  // One more sandbox beside the agents: the same fair share of memory as theirs.
  const memoryBytes = docker.defaultMemoryBytes(os.totalmem(), inDocker.length + 1);
  return (name, cliArgs) => {
    const run = docker.experimentRunCommand(
      { workspace: root, ralphInstallDir, image: config.image, engine: config.engine, experiment: name, memoryBytes },
      cliArgs,
    );
    return { command: [run.file, ...run.args], env: run.env };
  };
}
