// The `ralph-tui up --headless` command: supervises every agent without the screen, one line per event.
import { type Command, InvalidArgumentError, Option } from 'commander';
import { AppendFile, ensureDir } from '../../core/safe-fs.js';
import { workspacePaths } from '../../core/workspace-paths.js';
import { SupervisorService } from '../service/supervisor-service.js';
import { loadConfig } from '../config.js';
import { UserError } from '../../core/errors.js';
import { initWorkspace, workspaceNeedsInit } from '../init/init-workspace.js';
import { formatEvent } from '../supervisor/index.js';
import { workspaceOf } from './workspace-option.js';

function seconds(value: string): number {
  const parsed = Number(value);
  if (!Number.isFinite(parsed) || parsed <= 0)
    throw new InvalidArgumentError('expected a number of seconds greater than 0.');
  return parsed;
}

type Ending = { why: string; down?: boolean };

function paneSize(value: string): { cols: number; rows: number } {
  const match = /^(\d{1,4})x(\d{1,4})$/.exec(value);
  if (!match || Number(match[1]) < 1 || Number(match[2]) < 1)
    throw new InvalidArgumentError('expected COLSxROWS, e.g. 120x40.');
  return { cols: Number(match[1]), rows: Number(match[2]) };
}

interface UpOptions {
  headless?: boolean;
  exitAfter?: number;
  service?: boolean;
  paneSize?: { cols: number; rows: number };
}

export function registerUp(program: Command): void {
  program
    .command('up')
    .description('start every agent in ralph.config.json and keep them in the Ralph loop')
    .option(
      '--headless',
      'no screen: print one line per event (started, prompt delivered, state, restart, nudge, exit); screens can attach (`ralph-tui`)',
    )
    .option('--exit-after <seconds>', 'shut down after this many seconds (agents stopped, containers kept)', seconds)
    .addOption(
      new Option(
        '--service',
        'run as the background service a screen started: log to .ralph/service.log, ignore hang-ups',
      ).hideHelp(),
    )
    .addOption(
      new Option('--pane-size <COLSxROWS>', "the agents' terminal size until a screen sets it")
        .argParser(paneSize)
        .hideHelp(),
    )
    .addHelpText(
      'after',
      "\nCtrl-C or SIGTERM stops the agents' processes and exits; containers keep running (`ralph-tui down` removes them).",
    )
    .action(async (options: UpOptions, command: Command) => {
      if (!options.headless) {
        throw new UserError(
          '`ralph-tui up` without --headless is the full-screen supervisor: run `ralph-tui` with no command, or add --headless',
        );
      }
      const workspace = workspaceOf(command);
      const log = options.service ? serviceLog(workspace) : null;
      const print = (line: string) =>
        log ? log.write(`${new Date().toISOString()} ${line}\n`) : process.stdout.write(`${line}\n`);
      try {
        await supervise(workspace, options, print);
      } catch (error) {
        // A background service has no terminal: its last words go to its log, where the screen that started it reads them.
        if (log) print(`ralph-tui: ${(error as Error).message}`);
        throw error;
      } finally {
        log?.close();
      }
    });
}

function serviceLog(workspace: string): AppendFile {
  const paths = workspacePaths(workspace);
  ensureDir(paths.ralph, { private: true });
  return new AppendFile(paths.serviceLog, { private: true, maxBytes: SERVICE_LOG_MAX_BYTES });
}

/** The service's log rotates at this size (one `.1` kept): a week of events of a ten-agent team fits. */
const SERVICE_LOG_MAX_BYTES = 8 * 1024 * 1024;

async function supervise(workspace: string, options: UpOptions, print: (line: string) => void): Promise<void> {
  // A fresh folder becomes a working workspace (built-in agents, local runtime), as with the full-screen app.
  if (workspaceNeedsInit(workspace)) {
    const report = await initWorkspace(workspace);
    print(
      `ralph-tui: no ralph.config.json in ${workspace} — initialised it (${report.config.agents.length} built-in agents, local runtime; \`ralph-tui init --force\` to choose others)`,
    );
  }
  const config = loadConfig(workspace);
  const service = new SupervisorService({
    workspace,
    config,
    cols: options.paneSize?.cols ?? 120,
    rows: options.paneSize?.rows ?? 40,
    log: print,
  });
  const supervisor = service.supervisor;
  supervisor.onEvent((event) => print(formatEvent(event)));
  print(
    options.service
      ? `ralph-tui: supervisor service for ${supervisor.agentIds().join(', ')} in ${workspace} (pid ${process.pid}; \`ralph-tui down\` stops it)`
      : `ralph-tui: supervising ${supervisor.agentIds().join(', ')} in ${workspace} (events also in .ralph/events.jsonl; screens attach with \`ralph-tui\`; Ctrl-C stops)`,
  );

  let finish: (ending: Ending) => void = () => undefined;
  const ended = new Promise<Ending>((resolve) => (finish = resolve));
  const onSignal = (signal: NodeJS.Signals) => finish({ why: `received ${signal}` });
  // A background service outlives the terminal that started it: a hang-up is not for it.
  const signals = options.service ? (['SIGINT', 'SIGTERM'] as const) : (['SIGINT', 'SIGTERM', 'SIGHUP'] as const);
  if (options.service) process.on('SIGHUP', ignore);
  for (const signal of signals) process.on(signal, onSignal);
  const timer = options.exitAfter
    ? setTimeout(() => finish({ why: `--exit-after ${options.exitAfter} s` }), options.exitAfter * 1000)
    : null;
  void service.ended.then(finish);
  // Every agent stopped for good (STOP, target reached): nothing left to supervise — unless screens may resume them.
  const allStopped = () =>
    !options.service && supervisor.getSnapshot().agents.every((agent) => agent.state === 'stopped');
  let unsubscribe = () => {};

  let ending: Ending = { why: 'start failed' };
  try {
    await service.start();
    unsubscribe = supervisor.subscribe(() => {
      if (allStopped()) finish({ why: 'every agent stopped' });
    });
    if (allStopped()) finish({ why: 'every agent stopped' });
    ending = await ended;
    print(`ralph-tui: shutting down (${ending.why})`);
  } finally {
    if (timer) clearTimeout(timer);
    unsubscribe();
    await service.close(ending);
    for (const signal of signals) process.off(signal, onSignal);
    process.off('SIGHUP', ignore);
  }
}

function ignore(): void {}
