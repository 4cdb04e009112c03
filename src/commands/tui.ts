// The default command (no subcommand): opens the full-screen supervisor.
import type { Command } from 'commander';
import { UserError } from '../../core/errors.js';
import { workspaceOf } from './workspace-option.js';

/**
 * `ralph-tui [--down]` with no subcommand: the full-screen supervisor. The app is imported on
 * demand so the other commands never load Ink and React.
 */
export function registerTui(program: Command): void {
  program
    .option('--down', 'when quitting, stop and remove the agent containers (default: they keep running)')
    .addHelpText('after', '\nWith no command, ralph-tui opens the full-screen supervisor (press ? there for the keys).')
    // Declared so that a mistyped command reaches us and gets a clear sentence instead of "too many arguments".
    .argument('[command]')
    .usage('[options] [command]')
    .action(async (unknown: string | undefined, _options: unknown, command: Command) => {
      if (unknown !== undefined)
        throw new UserError(`unknown command "${unknown}" (run ralph-tui --help for the list)`);
      // React's development build (the default without NODE_ENV) made every frame 2–3× slower in
      // bench:tui (dev-only element checks and performance marks); React reads this when first imported.
      process.env.NODE_ENV ??= 'production';
      const { runApp } = await import('../app/run-app.js');
      const code = await runApp({ workspace: workspaceOf(command), down: Boolean(command.opts().down) });
      // Exit at once: the terminal is restored and the children are stopped; a lingering watcher or
      // timer must not keep a finished screen alive.
      process.exit(code);
    });
}
