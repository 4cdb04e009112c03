// The `docker exec -it` command line an agent's pty runs.
import type { ContainerAgent } from './container-agent.js';
import { CONTAINER_WORKSPACE } from './container-spec.js';
import { engineEnv } from './engine.js';

/** Detach keys nobody types: the default ctrl-p ctrl-q would swallow ctrl-p meant for the agent. */
const DETACH_KEYS = 'ctrl-@,ctrl-@';

/**
 * The command for a pty that runs `command` in the agent's container (`docker exec -it`). Pass-through
 * variables go as `-e NAME` (the docker CLI reads the value from its own environment), so API keys
 * never appear in argv, in the container's config or in `docker inspect`.
 */
export function execCommand(
  agent: ContainerAgent,
  command: string,
): { file: string; args: string[]; env: Record<string, string> } {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(process.env)) if (value !== undefined) env[key] = value;
  Object.assign(env, engineEnv(agent.engine));
  const passed = agent.passEnv.filter((name) => process.env[name] !== undefined);
  const args = [
    'exec',
    '-it',
    '--detach-keys',
    DETACH_KEYS,
    '-e',
    'TERM=xterm-256color',
    ...passed.flatMap((name) => ['-e', name]),
    '-w',
    CONTAINER_WORKSPACE,
    agent.containerName,
    'sh',
    '-c',
    command,
  ];
  return { file: 'docker', args, env };
}
