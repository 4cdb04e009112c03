// Starts the full-screen supervisor: services, the Ink app, and terminal restore on every way out.
import { execFileSync } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { render, type Instance } from 'ink';
import { App } from './App.js';
import { WorkspaceWatcher } from '../../orchestration/index.js';
import { configSecrets, loadConfig } from '../config.js';
import { UserError } from '../../core/errors.js';
import { entry } from '../../core/safe-fs.js';
import { listExperiments } from '../experiments/experiment-definition.js';
import { experimentLaunch } from '../experiments/launch-plan.js';
import { initWorkspace, workspaceNeedsInit } from '../init/init-workspace.js';
import { attachService } from '../service/attach-service.js';
import { workspacePaths } from '../../core/workspace-paths.js';
import { AppStore } from './app-store.js';
import { crashLine, writeCrashLog } from './crash-log.js';
import { FrameMetrics } from './frame-metrics.js';
import { InputController } from './input-controller.js';
import { computeLayout } from './layout.js';
import { inkStdout, PanePainter } from './pane-painter.js';
import { BROKEN_TERMINAL_HINT, leftRaw, MOUSE_ON, RESET_MODES, RESTORE_TERMINAL } from './terminal-restore.js';

export interface RunAppOptions {
  workspace: string;
  /** Watch only: keys that would change something are refused (another screen has control). */
  readOnly?: boolean;
  /** Remove the agent containers when quitting (default: they keep running and are reattached next time). */
  down?: boolean;
}

/** How long stopping the children may take before the terminal is restored anyway. */
const SHUTDOWN_LIMIT_MS = 10_000;

/**
 * The full-screen supervisor: initialises the workspace if needed, starts the services, renders the Ink
 * app on the alternate screen and restores the terminal on every way out. Resolves with the exit code.
 */
export async function runApp(options: RunAppOptions): Promise<number> {
  const stdout = process.stdout;
  if (!stdout.isTTY || !process.stdin.isTTY) {
    throw new UserError(
      'the screen needs a terminal (stdin and stdout must be a TTY); use `ralph-tui up --headless` for a log of events instead',
    );
  }
  const leftBroken = recoverTerminal(stdout);
  const root = options.workspace;
  if (workspaceNeedsInit(root)) await initWorkspace(root);
  const config = loadConfig(root);
  const paths = workspacePaths(root);

  // The emulators start at the focused pane's size so agents do not redraw right after the first frame.
  const ids = config.agents.map((agent) => agent.id);
  const first = computeLayout({
    cols: stdout.columns ?? 120,
    rows: stdout.rows ?? 40,
    view: 'split',
    agentIds: ids,
    focusedId: ids[0],
    footerLines: 1,
  }).agents[0];
  // The agents live in the workspace's supervisor service (started here when none runs): this screen attaches.
  const { client } = await attachService(root, { readOnly: options.readOnly, cols: first?.cols, rows: first?.rows });
  const { supervisor, runner } = client;
  const watcher = new WorkspaceWatcher(root, { configTarget: config.targetScore });
  const containers = config.agents.some((agent) => (agent.runtime ?? config.runtime) === 'docker');
  const metrics = FrameMetrics.fromEnv();
  const painter = new PanePainter((data) => stdout.write(data));
  const store = new AppStore({
    supervisor,
    watcher,
    runner,
    actions: {
      listExperiments: () => listExperiments(root),
      planExperiment: (name) => experimentLaunch(root, name, { sandboxed: containers }),
    },
    settings: {
      name: config.name ?? path.basename(root),
      targetScore: config.targetScore,
      budgetWorkers: config.budgetWorkers,
      containers,
      down: options.down ?? false,
      readOnly: client.readOnly,
      experimentWorkers: config.experiments.workers ?? Math.max(1, os.availableParallelism() - 1),
    },
    metrics,
    painter,
  });
  const controller = new InputController(store);

  let instance: Instance | null = null;
  let finishing: Promise<number> | null = null;
  /**
   * Children first, then the terminal, so no child can redraw over the restored screen; bounded so a hung engine
   * cannot keep the screen broken.
   */
  const finish = (
    code: number,
    ending: { crash?: unknown; stopAll?: boolean; message?: string } = {},
  ): Promise<number> => {
    if (finishing) return finishing;
    finishing = (async () => {
      const { crash } = ending;
      if (crash !== undefined) writeCrashLog(paths.crashLog, crash, configSecrets(config));
      // Leaving the screen leaves the agents working, unless the person asked to stop them all (or --down).
      if (ending.stopAll) {
        await Promise.race([
          supervisor.shutdown({ down: options.down }),
          new Promise((resolve) => setTimeout(resolve, SHUTDOWN_LIMIT_MS).unref()),
        ]);
      } else client.detach();
      await watcher.close().catch(() => undefined);
      store.dispose();
      try {
        instance?.unmount();
      } catch {
        // Already unmounted (a crash inside React): the sequences below still restore the terminal.
      }
      stdout.write(RESTORE_TERMINAL);
      if (leftBroken) process.stderr.write(`ralph-tui: ${BROKEN_TERMINAL_HINT}\n`);
      metrics?.save();
      if (crash !== undefined) process.stderr.write(crashLine(crash, paths.crashLog, configSecrets(config)));
      else process.stderr.write(`ralph-tui: ${ending.message ?? detachedLine(ending.stopAll, client.servicePid)}\n`);
      return code;
    })();
    return finishing;
  };

  const onSignal = (signal: NodeJS.Signals) =>
    void finish(128 + (os.constants.signals[signal] ?? 1)).then((code) => process.exit(code));
  const onCrash = (error: unknown) => void finish(1, { crash: error }).then((code) => process.exit(code));
  for (const signal of ['SIGTERM', 'SIGHUP', 'SIGINT'] as const) process.on(signal, onSignal);
  process.on('uncaughtException', onCrash);
  process.on('unhandledRejection', onCrash);

  try {
    await watcher.start();
    store.syncAgents();
    // The service reads the config when it starts: an edit since then waits for the next start.
    if (entry(paths.config).mtimeMs > client.serviceStartedAt)
      store.dispatch({
        type: 'notice',
        text: 'ralph.config.json changed since the supervisor service started: Q (stop every agent) and start again to apply it',
      });
    instance = render(<App store={store} controller={controller} />, {
      // The focused pane's rows are painted beside Ink (pane-painter.ts); Ink's writes trigger its repaint.
      stdout: inkStdout(stdout, painter),
      alternateScreen: true,
      exitOnCtrlC: false,
      patchConsole: false,
      incrementalRendering: true,
      // Agent panes are already capped at 20 fps by the FrameScheduler, so Ink's own throttle only delays them:
      // at 20 it added up to 50 ms to every frame (loaded 2-core machine: echo p95 262 → 92 ms, frame p95
      // 224 → 41 ms with 60), and at 60 it held back the keystroke frames the scheduler draws at once (quiet
      // machine: echo p95 44 → 20 ms, frame p95 24 → 13 ms with 1000, same CPU). Other updates (header
      // clock, files) are rare, and React batches what arrives together.
      maxFps: 1000,
      onRender: ({ renderTime }) => metrics?.ink(renderTime),
    });
    stdout.write(MOUSE_ON);
    // A render error ends Ink on its own (its error boundary unmounts): that is a crash, not a quit.
    const inkEnded = instance.waitUntilExit().then(
      () => ({ crash: new Error('the screen closed unexpectedly') as unknown }),
      (error: unknown) => ({ crash: error }),
    );
    const serviceEnded = client.ended.then((reason) => ({ serviceEnded: reason }));
    const outcome = await Promise.race([store.quitRequested, inkEnded, serviceEnded]);
    if ('crash' in outcome) return await finish(1, { crash: outcome.crash });
    if ('serviceEnded' in outcome) return await finish(0, { message: `${outcome.serviceEnded}; the screen closed` });
    return await finish(outcome.forced ? 130 : 0, { stopAll: outcome.stopAll });
  } catch (error) {
    if (error instanceof UserError) {
      await finish(error.exitCode);
      throw error;
    }
    return await finish(1, { crash: error });
  } finally {
    for (const signal of ['SIGTERM', 'SIGHUP', 'SIGINT'] as const) process.off(signal, onSignal);
    process.off('uncaughtException', onCrash);
    process.off('unhandledRejection', onCrash);
  }
}

/**
 * Before anything draws: the modes a previous screen killed with SIGKILL may have left on (mouse reports,
 * bracketed paste, hidden cursor) go off, and a terminal left without echo gets `stty sane` for this run.
 * Returns whether it was left without echo: Node puts back, when it exits, the settings it started with, so
 * only the person can make the fix outlast this run (`reset`), and the exit says so.
 */
function recoverTerminal(stdout: NodeJS.WriteStream): boolean {
  stdout.write(RESET_MODES);
  try {
    const modes = execFileSync('stty', ['-a'], { stdio: ['inherit', 'pipe', 'ignore'], encoding: 'utf8' });
    if (!leftRaw(modes)) return false;
    execFileSync('stty', ['sane'], { stdio: ['inherit', 'ignore', 'ignore'] });
    return true;
  } catch {
    // No stty (not a POSIX terminal): the escape sequences above are all there is.
    return false;
  }
}

/** The screen's last line: where the agents are now. */
function detachedLine(stopAll: boolean | undefined, servicePid: number): string {
  return stopAll
    ? 'every agent stopped; the supervisor service ended'
    : `detached: the agents keep working in the supervisor service (pid ${servicePid}); \`ralph-tui\` attaches again, \`ralph-tui down\` stops them`;
}
