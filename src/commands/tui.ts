// The default command (no subcommand): opens the full-screen supervisor.
import type { Command } from 'commander';
import { UserError } from '../../core/errors.js';
import { workspaceOf } from './workspace-option.js';

/**
 * `ralph-tui [--down] [--read-only]` with no subcommand: the full-screen supervisor, attached to the service. The app is imported on
 * demand so the other commands never load Ink and React.
 */
export function registerTui(program: Command): void {
  program
    .option('--down', 'when stopping every agent from the screen (Q), also remove the agent containers')
    .option('--read-only', 'watch a running supervisor service without changing anything (another screen has control)')
    .addHelpText(
      'after',
      '\nWith no command, ralph-tui opens the full-screen supervisor (press ? there for the keys). The agents run in a\nsupervisor service in the background: q detaches the screen and they keep working; `ralph-tui` attaches again;\nQ in the screen or `ralph-tui down` stops them.',
    )
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
      const opts = command.opts<{ down?: boolean; readOnly?: boolean }>();
      const code = await runApp({ workspace: workspaceOf(command), down: Boolean(opts.down), readOnly: opts.readOnly });
      // Exit at once: the terminal is restored and the children are stopped; a lingering watcher or
      // timer must not keep a finished screen alive.
      process.exit(code);
    });
}
