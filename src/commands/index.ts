// The table of command modules, imported on demand so each CLI call loads only what it runs.
import type { Command } from 'commander';

type Registration = (program: Command) => void;

/**
 * Every command module, loaded on demand. Agents call `ralph-tui queue claim`, `status` and `log append`
 * all day; importing every command's dependencies (Ink, dockerode, chokidar, the solver) made each such
 * call cost ~0.4 s of CPU, so only the invoked command's module is imported (all of them for help).
 * Keep alphabetical order.
 */
export const commandModules: Record<string, () => Promise<Registration>> = {
  agent: async () => (await import('./agent.js')).registerAgent,
  'claude-setup': async () => (await import('./claude-setup.js')).registerClaudeSetup,
  compose: async () => (await import('./compose.js')).registerCompose,
  down: async () => (await import('./down.js')).registerDown,
  generate: async () => (await import('./generate.js')).registerGenerate,
  image: async () => (await import('./image.js')).registerImage,
  init: async () => (await import('./init.js')).registerInit,
  log: async () => (await import('./log.js')).registerLog,
  prompts: async () => (await import('./prompts.js')).registerPrompts,
  queue: async () => (await import('./queue.js')).registerQueue,
  resume: async () => (await import('./resume.js')).registerResume,
  run: async () => (await import('./run.js')).registerRun,
  score: async () => (await import('./score.js')).registerScore,
  simulate: async () => (await import('./simulate.js')).registerSimulate,
  solve: async () => (await import('./solve.js')).registerSolve,
  status: async () => (await import('./status.js')).registerStatus,
  stop: async () => (await import('./stop.js')).registerStop,
  up: async () => (await import('./up.js')).registerUp,
};

/** The root action (the full-screen app, and the clear error for an unknown command) is always registered. */
export const registerRoot = async (): Promise<Registration> => (await import('./tui.js')).registerTui;

/**
 * The command modules an argv needs: the named command's alone, or every one when help is asked for at
 * the top level (`ralph-tui --help`, `ralph-tui help`). `-w/--workspace DIR` is the only global option
 * that takes a value.
 */
export function modulesFor(args: readonly string[]): string[] {
  const positional: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === '-w' || arg === '--workspace') i++;
    else if (!arg.startsWith('-')) positional.push(arg);
  }
  const first = positional[0];
  if (first !== undefined && first !== 'help') return first in commandModules ? [first] : [];
  const wantsHelp = first === 'help' || args.includes('-h') || args.includes('--help');
  return wantsHelp ? Object.keys(commandModules) : [];
}
