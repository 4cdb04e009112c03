import { Command, CommanderError } from 'commander';
import { UserError } from './errors.js';
import { commandRegistrations } from './commands/index.js';

/** Builds the `ralph-tui` program: one global --workspace option, then every command module. */
export function buildProgram(): Command {
  const program = new Command('ralph-tui')
    .description('A full-screen terminal supervisor for autonomous research agents.')
    .option('-w, --workspace <dir>', 'workspace folder (default: $RALPH_WORKSPACE or the current folder)')
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride();
  for (const register of commandRegistrations) register(program);
  return program;
}

/** Prints a user error as one sentence (no stack trace) and returns its exit code. */
export function reportError(error: unknown): number {
  if (error instanceof CommanderError) {
    // Commander already printed its message (or the help text) to the right stream. Usage errors
    // (missing option, unknown command) are bad input like any other: exit 2, as the CLI contract says.
    return error.exitCode === 0 ? 0 : 2;
  }
  if (error instanceof UserError) {
    process.stderr.write(`ralph-tui: ${error.message}\n`);
    return error.exitCode;
  }
  const message = error instanceof Error ? (error.stack ?? error.message) : String(error);
  process.stderr.write(`ralph-tui: internal error (please report): ${message}\n`);
  return 1;
}

export async function main(argv: string[]): Promise<number> {
  try {
    await buildProgram().parseAsync(argv);
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (error) {
    return reportError(error);
  }
}

const exitCode = await main(process.argv);
process.exitCode = exitCode;
