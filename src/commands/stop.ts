// The `ralph-tui stop` command: creates the STOP file so agents finish their current step and stop.
import type { Command } from 'commander';
import { createStop, FORCED_STOP_REASON } from '../../orchestration/stop-file.js';
import { workspacePaths } from '../../core/workspace-paths.js';
import { workspaceOf } from './workspace-option.js';

export function registerStop(program: Command): void {
  program
    .command('stop')
    .description(
      'create orchestration/shared/STOP: agents finish their current step and stop (--force: the supervisor stops them now)',
    )
    .option('--force', 'mark the stop as forced: a running supervisor ends the agents at once instead of waiting')
    .option('--reason <text>', 'why (written into STOP and shown by status)')
    .action(async (options: { force?: boolean; reason?: string }, command: Command) => {
      const root = workspaceOf(command);
      const reason = options.force
        ? options.reason
          ? `${FORCED_STOP_REASON}: ${options.reason}`
          : FORCED_STOP_REASON
        : (options.reason ?? 'graceful stop requested');
      await createStop(root, reason);
      const what = options.force
        ? 'a running supervisor stops the agents now'
        : 'agents finish their current step and stop';
      process.stdout.write(
        `STOP created (${reason}) at ${workspacePaths(root).stop}: ${what}. \`ralph-tui resume\` removes it.\n`,
      );
    });
}
