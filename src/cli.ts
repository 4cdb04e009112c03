// Builds the `ralph-tui` command-line program and turns user errors into one sentence and an exit code.
import { Command, CommanderError } from 'commander';
import { fileSystemError, UserError } from '../core/errors.js';
import { commandModules, modulesFor, registerRoot } from './commands/index.js';
import { plainText } from '../core/plain-text.js';

/** Builds the `ralph-tui` program: one global --workspace option, then the command modules `args` needs. */
export async function buildProgram(args: readonly string[]): Promise<Command> {
  const program = new Command('ralph-tui')
    .description('A full-screen terminal supervisor for autonomous research agents.')
    .option('-w, --workspace <dir>', 'workspace folder (default: $RALPH_WORKSPACE or the current folder)')
    .showHelpAfterError('(run with --help for usage)')
    // The root has an action (the full-screen app), which turns commander's implicit `help` command off.
    .helpCommand(true)
    .exitOverride();
  const registrations = await Promise.all([registerRoot(), ...modulesFor(args).map((name) => commandModules[name]!())]);
  for (const register of registrations) register(program);
  return program;
}

/** Prints a user error as one sentence (no stack trace) and returns its exit code. */
export function reportError(error: unknown): number {
  if (error instanceof CommanderError) {
    // Commander already printed its message (or the help text) to the right stream. Usage errors
    // (missing option, unknown command) are bad input like any other: exit 2, as the CLI contract says.
    return error.exitCode === 0 ? 0 : 2;
  }
  const clear = error instanceof UserError ? error : fileSystemError(error);
  if (clear) {
    // Messages can quote file names and values agents wrote.
    process.stderr.write(`ralph-tui: ${plainText(clear.message, { multiline: true })}\n`);
    return clear.exitCode;
  }
  const message = error instanceof Error ? (error.stack ?? error.message) : String(error);
  process.stderr.write(`ralph-tui: internal error (please report): ${message}\n`);
  return 1;
}

export async function main(argv: string[]): Promise<number> {
  try {
    await (await buildProgram(argv.slice(2))).parseAsync(argv);
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (error) {
    return reportError(error);
  }
}

// `ralph-tui status | head` closes the pipe early: that is the reader's choice, not an error.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(0);
  throw error;
});
const exitCode = await main(process.argv);
process.exitCode = exitCode;
