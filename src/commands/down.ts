// The `ralph-tui down` command: stops and removes this workspace's agent containers on every engine.
import { exists } from '../../core/safe-fs.js';
import { type Command, InvalidArgumentError } from 'commander';
import { AgentContainers, ralphInstallDir } from '../../docker/index.js';
import { loadConfig, resolveAgent, type EngineConfig } from '../config.js';
import { workspacePaths } from '../../core/workspace-paths.js';
import { stopService } from '../service/stop-service.js';
import { forgetConversations } from '../claude/live-conversations.js';
import { workspaceOf } from './workspace-option.js';

function seconds(value: string): number {
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 0) throw new InvalidArgumentError('expected a whole number of seconds.');
  return parsed;
}

export function registerDown(program: Command): void {
  program
    .command('down')
    .description(
      "stop and remove this workspace's agent containers on every engine the config names (credential volumes are kept unless --volumes)",
    )
    .option('-t, --timeout <seconds>', 'seconds each agent gets to exit after SIGTERM before it is killed', seconds, 10)
    .option('--volumes', "also remove the agents' credential volumes (their Claude logins)")
    .action(async (options: { timeout: number; volumes?: boolean }, command: Command) => {
      const root = workspaceOf(command);
      const paths = workspacePaths(root);
      // The service first: it stops its agents and removes its containers itself, and would otherwise restart them.
      const service = await stopService(root);
      if (service) process.stdout.write(`stopped the supervisor service (pid ${service.pid})\n`);
      // A service that vanished left its agents' conversations recorded: after `down` they start fresh.
      else forgetConversations(paths.conversations);
      const engines: Array<EngineConfig | undefined> = [];
      let dockerAgents = 0;
      if (exists(paths.config)) {
        const config = loadConfig(root);
        for (const agent of config.agents.map((entry) => resolveAgent(config, entry, root))) {
          if (agent.runtime !== 'docker') continue;
          dockerAgents++;
          engines.push(agent.engine);
        }
        // A local-only workspace that never created a container has nothing to remove and needs no engine.
        if (dockerAgents === 0 && !exists(paths.containers)) {
          process.stdout.write('no agent containers: every agent runs locally\n');
          return;
        }
      }
      const containers = new AgentContainers({ workspace: root, ralphInstallDir: ralphInstallDir() });
      const removed = await containers.down(engines, options.timeout, options.volumes);
      if (removed.length === 0) process.stdout.write(`no agent containers for ${root}\n`);
      for (const state of removed)
        process.stdout.write(`removed ${state.name}${state.agent ? ` (${state.agent})` : ''} on ${state.engine}\n`);
    });
}
