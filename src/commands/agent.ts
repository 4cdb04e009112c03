// The `ralph-tui agent` command: runs a built-in orchestrator or worker agent.
import type { Command } from 'commander';
import { createAgentLog } from '../agents/agent-output.js';
import { runOrchestrator } from '../agents/orchestrator-agent.js';
import { runWorker } from '../agents/worker-agent.js';
import { loadConfig } from '../config.js';
import { UserError } from '../../core/errors.js';
import { wholeNumber } from './solver-options.js';
import { workspaceOf } from './workspace-option.js';

export function registerAgent(program: Command): void {
  program
    .command('agent')
    .description('run a built-in research agent (the orchestrator or a worker, by its role in ralph.config.json)')
    .requiredOption('--id <id>', 'agent id from ralph.config.json, e.g. W0 or W1')
    .option('--max-experiments <n>', 'worker: exit after this many experiments', wholeNumber('--max-experiments', 1))
    .option('--max-steps <n>', 'orchestrator: exit after this many passes', wholeNumber('--max-steps', 1))
    .option('--exit-when-idle', 'worker: exit when no experiment is available instead of waiting')
    .action(
      async (
        options: { id: string; maxExperiments?: number; maxSteps?: number; exitWhenIdle?: boolean },
        command: Command,
      ) => {
        const root = workspaceOf(command);
        const config = loadConfig(root);
        const agent = config.agents.find((candidate) => candidate.id === options.id);
        if (!agent) {
          throw new UserError(
            `ralph.config.json: no agent with id ${options.id} (agents: ${config.agents.map((a) => a.id).join(', ')})`,
          );
        }
        // SIGTERM/SIGINT/SIGHUP: stop the running experiment child, keep the queue claim, exit 143 (see worker-agent.ts).
        // `on`, not `once`: execa's signal-exit re-raises a signal when it finds itself the only listener left,
        // which a `once` listener (removed before it runs) would make it believe.
        const controller = new AbortController();
        const onSignal = () => controller.abort();
        const signals = ['SIGTERM', 'SIGINT', 'SIGHUP'] as const;
        for (const signal of signals) process.on(signal, onSignal);
        const log = createAgentLog(agent.id);
        try {
          process.exitCode =
            agent.role === 'orchestrator'
              ? await runOrchestrator({
                  root,
                  config,
                  agentId: agent.id,
                  log,
                  signal: controller.signal,
                  maxSteps: options.maxSteps,
                })
              : await runWorker({
                  root,
                  config,
                  agent,
                  log,
                  signal: controller.signal,
                  maxExperiments: options.maxExperiments,
                  exitWhenIdle: options.exitWhenIdle,
                });
        } finally {
          for (const signal of signals) process.off(signal, onSignal);
        }
      },
    );
}
