// The `ralph-tui resume` command: removes the STOP file so agents continue.
import type { Command } from 'commander';
import { clearStop, stopState } from '../../orchestration/stop-file.js';
import { workspaceOf } from './workspace-option.js';

export function registerResume(program: Command): void {
  program
    .command('resume')
    .description('remove orchestration/shared/STOP so agents continue')
    .action(async (_options: unknown, command: Command) => {
      const root = workspaceOf(command);
      const present = stopState(root, null).present;
      await clearStop(root);
      process.stdout.write(present ? 'STOP removed: agents continue.\n' : 'No STOP was present.\n');
    });
}
