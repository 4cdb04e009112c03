// The `ralph-tui up --headless` command: supervises every agent without the screen, one line per event.
import { type Command, InvalidArgumentError } from 'commander';
import { loadConfig } from '../config.js';
import { UserError } from '../../core/errors.js';
import { initWorkspace, workspaceNeedsInit } from '../init/init-workspace.js';
import { formatEvent, Supervisor } from '../supervisor/index.js';
import { workspaceOf } from './workspace-option.js';

function seconds(value: string): number {
  const parsed = Number(value);
  if (!Number.isFinite(parsed) || parsed <= 0)
    throw new InvalidArgumentError('expected a number of seconds greater than 0.');
  return parsed;
}

type Ending = { why: string; down?: boolean };

export function registerUp(program: Command): void {
  program
    .command('up')
    .description('start every agent in ralph.config.json and keep them in the Ralph loop')
    .option(
      '--headless',
      'no screen: print one line per event (started, prompt delivered, state, restart, nudge, exit)',
    )
    .option('--exit-after <seconds>', 'shut down after this many seconds (agents stopped, containers kept)', seconds)
    .addHelpText(
      'after',
      "\nCtrl-C or SIGTERM stops the agents' processes and exits; containers keep running (`ralph-tui down` removes them).",
    )
    .action(async (options: { headless?: boolean; exitAfter?: number }, command: Command) => {
      if (!options.headless) {
        throw new UserError(
          '`ralph-tui up` without --headless is the full-screen supervisor: run `ralph-tui` with no command, or add --headless',
        );
      }
      const workspace = workspaceOf(command);
      const print = (line: string) => process.stdout.write(`${line}\n`);
      // A fresh folder becomes a working workspace (built-in agents, local runtime), as with the full-screen app.
      if (workspaceNeedsInit(workspace)) {
        const report = await initWorkspace(workspace);
        print(
          `ralph-tui: no ralph.config.json in ${workspace} — initialised it (${report.config.agents.length} built-in agents, local runtime; \`ralph-tui init --force\` to choose others)`,
        );
      }
      const config = loadConfig(workspace);
      const supervisor = new Supervisor({ workspace, config, cols: 120, rows: 40 });
      supervisor.onEvent((event) => print(formatEvent(event)));
      print(
        `ralph-tui: supervising ${supervisor.agentIds().join(', ')} in ${workspace} (events also in .ralph/events.jsonl; Ctrl-C stops)`,
      );

      let finish: (ending: Ending) => void = () => undefined;
      const ended = new Promise<Ending>((resolve) => (finish = resolve));
      const onSignal = (signal: NodeJS.Signals) => finish({ why: `received ${signal}` });
      const signals = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
      for (const signal of signals) process.on(signal, onSignal);
      const timer = options.exitAfter
        ? setTimeout(() => finish({ why: `--exit-after ${options.exitAfter} s` }), options.exitAfter * 1000)
        : null;
      // Every agent stopped for good (STOP, target reached): nothing left to supervise.
      const allStopped = () => supervisor.getSnapshot().agents.every((agent) => agent.state === 'stopped');
      let unsubscribe = () => {};

      try {
        await supervisor.start();
        unsubscribe = supervisor.subscribe(() => {
          if (allStopped()) finish({ why: 'every agent stopped' });
        });
        if (allStopped()) finish({ why: 'every agent stopped' });
        const ending = await ended;
        print(`ralph-tui: shutting down (${ending.why})`);
      } finally {
        if (timer) clearTimeout(timer);
        unsubscribe();
        await supervisor.shutdown();
        for (const signal of signals) process.off(signal, onSignal);
      }
    });
}
