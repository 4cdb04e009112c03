// Experiments started from the screen in a Docker workspace: `docker run` with the agents' sandbox, not a host process.
import crypto from 'node:crypto';
import path from 'node:path';
import {
  CONTAINER_INSTALL,
  CONTAINER_WORKSPACE,
  DEFAULT_PATH,
  LABEL_WORKSPACE,
  WRAPPER_DIR,
  agentContainerSpec,
  type ContainerSpec,
} from './container-spec.js';
import { dockerRunFlags } from './container-options.js';
import { engineEnv } from './engine.js';
import type { EngineChoice } from './container-agent.js';
import { prepareWorkspaceMounts, workspaceUser } from './workspace-access.js';

/** Marks experiment containers (they also carry the workspace label, so `ralph-tui down` removes leftovers). */
export const LABEL_EXPERIMENT = 'ralph.experiment';

export interface ExperimentContainerOptions {
  workspace: string;
  ralphInstallDir: string;
  image: string;
  engine?: EngineChoice;
  /** The experiment's name (labels the container, and starts its name). */
  experiment: string;
  memoryBytes?: number;
  cpuset?: string;
}

/**
 * The experiment's container: the same read-only root, init, dropped capabilities, masked `.ralph` (only the run
 * progress folder mounted, so the screen still sees the run's status file), read-only config and data, and no
 * network at all — an experiment computes on the workspace's files and needs none.
 */
export function experimentContainerSpec(opts: ExperimentContainerOptions): ContainerSpec {
  const workspace = path.resolve(opts.workspace);
  const user = workspaceUser(workspace);
  const mounts = prepareWorkspaceMounts(workspace, undefined, user);
  const name = `ralph-exp-${opts.experiment.replace(/[^a-zA-Z0-9_.-]/g, '-').slice(0, 60)}-${crypto.randomBytes(4).toString('hex')}`;
  const spec = agentContainerSpec(
    {
      id: 'experiment',
      role: 'worker',
      runtime: 'docker',
      containerName: name,
      image: opts.image,
      env: {},
      passEnv: [],
      network: 'none',
      egressAllow: [],
      cpuset: opts.cpuset,
    },
    { workspace, ralphInstallDir: opts.ralphInstallDir, user, mounts, defaultMemoryBytes: opts.memoryBytes },
  );
  const { RALPH_STATUS_DIR: _dir, RALPH_STATUS_FILE: _file, RALPH_AGENT_ID: _id, ...env } = spec.env;
  return {
    ...spec,
    labels: { [LABEL_WORKSPACE]: workspace, [LABEL_EXPERIMENT]: opts.experiment },
    env: { ...env, PATH: `${WRAPPER_DIR}:${DEFAULT_PATH}` },
    // No login volume, no egress socket: nothing of an agent's.
    volumes: [],
  };
}

/**
 * The command the experiment runner starts instead of `node ralph-tui.js …`: `docker run --rm` of the sandbox with
 * `ralph-tui <cliArgs>` inside (the mounted install, run by the image's node). RALPH_RUN_ID passes by name.
 * Cancelling signals the docker CLI, which forwards the signal to the container's init and so to the run.
 */
export function experimentRunCommand(
  opts: ExperimentContainerOptions,
  cliArgs: string[],
): { file: string; args: string[]; env: Record<string, string> } {
  const spec = experimentContainerSpec(opts);
  const args = [
    'run',
    '--rm',
    '--sig-proxy=true',
    ...dockerRunFlags(spec),
    '--env',
    'RALPH_RUN_ID',
    spec.image,
    `${CONTAINER_INSTALL}/docker/bin/ralph-tui`,
    '--workspace',
    CONTAINER_WORKSPACE,
    ...cliArgs,
  ];
  return { file: 'docker', args, env: engineEnv(opts.engine) };
}
