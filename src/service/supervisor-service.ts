// The supervisor service: owns the agents, their emulators and the experiment runs, and lets screens attach.
import net from 'node:net';
import { leadingThrottle, type Throttle } from '../../core/throttle.js';
import { configPassEnv, configSecrets, type RalphConfig } from '../config.js';
import { ExperimentRunner } from '../experiments/experiment-runner.js';
import { experimentSandbox } from '../experiments/experiment-sandbox.js';
import { Supervisor } from '../supervisor/index.js';
import { ScreenConnection } from './screen-connection.js';
import { makeSocketPrivate, prepareSocketFolder, serviceSocketPath } from './service-socket.js';

export interface ServiceOptions {
  workspace: string;
  config: RalphConfig;
  cols?: number;
  rows?: number;
  /** A line for the person (headless output or the service log). */
  log: (line: string) => void;
}

export interface ServiceEnding {
  why: string;
  down?: boolean;
}

/** Snapshots (agent states, runs) go to the screens at most this often: the screen redraws its header at 10/s. */
const SNAPSHOT_INTERVAL_MS = 50;

/**
 * `ralph-tui up --headless`, and the background process the screen starts: the Supervisor (agents' ptys and
 * emulators, transcripts, the Ralph loop, hook and STOP watchers) and the ExperimentRunner, with a control socket
 * in .ralph. Screens attach and detach; the agents do not notice. `ended` resolves when a screen asked to stop
 * everything; whoever started the service then calls close().
 */
export class SupervisorService {
  readonly supervisor: Supervisor;
  readonly socketPath: string;
  private runner: ExperimentRunner | null = null;
  private readonly server = net.createServer((socket) => this.accept(socket));
  private readonly screens = new Set<ScreenConnection>();
  private readonly unsubscribes: Array<() => void> = [];
  private endedResolve!: (ending: ServiceEnding) => void;
  readonly ended = new Promise<ServiceEnding>((resolve) => (this.endedResolve = resolve));
  private closing: Promise<void> | null = null;
  private readonly startedAt = Date.now();

  constructor(private readonly opts: ServiceOptions) {
    this.supervisor = new Supervisor({
      workspace: opts.workspace,
      config: opts.config,
      cols: opts.cols,
      rows: opts.rows,
    });
    this.socketPath = serviceSocketPath(opts.workspace);
  }

  /** Takes the workspace (one service per workspace), opens the socket, then starts every agent. */
  async start(): Promise<void> {
    await this.supervisor.acquire();
    const { workspace, config } = this.opts;
    this.runner = new ExperimentRunner({
      workspace,
      passEnv: configPassEnv(config),
      secrets: configSecrets(config),
      // A Docker workspace's experiments run in a sandbox container; a local one's after a person confirmed the command.
      sandbox: await experimentSandbox(workspace, config),
    });
    const runner = this.runner;
    const snapshots = this.broadcastThrottled(() => ({ t: 'snapshot', snapshot: this.supervisor.getSnapshot() }));
    const runs = this.broadcastThrottled(() => ({ t: 'runs', runs: runner.getSnapshot() }));
    this.unsubscribes.push(
      this.supervisor.subscribe(() => snapshots.request()),
      runner.subscribe(() => runs.request()),
    );
    prepareSocketFolder(this.socketPath, workspace);
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(this.socketPath, () => {
        this.server.off('error', reject);
        resolve();
      });
    });
    makeSocketPrivate(this.socketPath);
    await this.supervisor.start();
  }

  /** Screens attached right now. */
  get screenCount(): number {
    return this.screens.size;
  }

  /**
   * Ends the service: screens are told why, the socket closes, experiment runs are cancelled and the agents
   * stopped (containers kept unless `down`). Safe to call twice.
   */
  close(ending: ServiceEnding): Promise<void> {
    this.closing ??= (async () => {
      // No new screens; the attached ones watch the agents stop, then hear why the service ends.
      const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
      await Promise.allSettled([this.supervisor.shutdown({ down: ending.down }), this.runner?.dispose()]);
      for (const unsubscribe of this.unsubscribes.splice(0)) unsubscribe();
      for (const screen of this.screens) screen.end(`the supervisor service ended (${ending.why})`);
      await closed;
    })();
    return this.closing;
  }

  private accept(socket: net.Socket): void {
    const screen: ScreenConnection = new ScreenConnection(
      socket,
      {
        supervisor: this.supervisor,
        runner: this.runner!,
        workspace: this.opts.workspace,
        startedAt: this.startedAt,
        resized: (from, id, cols, rows) => {
          for (const other of this.screens) if (other !== from) other.send({ t: 'size', id, cols, rows });
        },
        shutdown: async ({ down, by }) => this.endedResolve({ why: by, down }),
        log: this.opts.log,
      },
      () => {
        this.screens.delete(screen);
        this.opts.log(`ralph-tui: a screen detached (${this.screens.size} attached)`);
      },
    );
    this.screens.add(screen);
    this.opts.log(`ralph-tui: a screen attached (${this.screens.size} attached)`);
  }

  private broadcastThrottled(message: () => Parameters<ScreenConnection['send']>[0]): Throttle {
    return leadingThrottle(
      () => {
        if (this.screens.size === 0) return false;
        const built = message();
        for (const screen of this.screens) screen.send(built);
      },
      SNAPSHOT_INTERVAL_MS,
      { leading: 'immediate' },
    );
  }
}
