// One screen attached to the supervisor service: its panes mirrored, its requests carried out.
import type net from 'node:net';
import type { ExperimentRunner } from '../experiments/experiment-runner.js';
import type { AgentSession, Supervisor } from '../supervisor/index.js';
import { restorableState } from './pane-state.js';
import {
  encodeMessage,
  MessageReader,
  parseClientMessage,
  PROTOCOL_VERSION,
  type ClientMessage,
  type ServiceMessage,
} from './service-protocol.js';

/** A screen's requests are keystrokes and clicks: a line this long is not one. */
const MAX_REQUEST_BYTES = 2 * 1024 * 1024;
/**
 * A screen that stops reading (a suspended terminal, a dead SSH link) must not make the service buffer agent output
 * without bound: past this much unsent, it is let go (it can attach again and gets the panes anew).
 */
const MAX_UNSENT_BYTES = 32 * 1024 * 1024;

export interface ConnectionHost {
  supervisor: Supervisor;
  runner: ExperimentRunner;
  workspace: string;
  startedAt: number;
  /** Another screen resized a pane: every other screen's copy follows. */
  resized(from: ScreenConnection, id: string, cols: number, rows: number): void;
  /** A screen asked to stop everything: the service ends. */
  shutdown(opts: { down?: boolean; by: string }): Promise<void>;
  log(line: string): void;
}

export class ScreenConnection {
  private readonly reader = new MessageReader(MAX_REQUEST_BYTES);
  /** The panes this screen shows, and for each one mirrored so far, how to stop sending its writes. */
  private wanted = new Set<string>();
  private readonly mirrored = new Map<string, () => void>();
  private attached = false;
  private readOnly = false;
  private closed = false;

  constructor(
    private readonly socket: net.Socket,
    private readonly host: ConnectionHost,
    private readonly onClose: () => void,
  ) {
    socket.on('data', (chunk: Buffer) => this.receive(chunk));
    socket.on('close', () => this.dispose());
    socket.on('error', () => this.dispose());
  }

  send(message: ServiceMessage): void {
    // Broadcasts reach a screen only once it said hello (and got its welcome, the first message it reads).
    if (this.closed || !this.attached) return;
    if (this.socket.writableLength > MAX_UNSENT_BYTES) {
      this.host.log('a screen stopped reading its output: let go (it can attach again)');
      this.socket.destroy();
      return;
    }
    this.socket.write(encodeMessage(message));
  }

  /** Says why, then closes (the service is ending, or the screen broke the protocol). */
  end(reason: string): void {
    if (this.closed) return;
    // Ending before hello too (a refused or mismatched screen still reads why).
    this.socket.end(encodeMessage({ t: 'bye', reason }));
    this.dispose();
  }

  private receive(chunk: Buffer): void {
    let raws: unknown[];
    try {
      raws = this.reader.push(chunk);
    } catch (error) {
      this.end(`refused: ${(error as Error).message}`);
      return;
    }
    for (const raw of raws) {
      const parsed = parseClientMessage(raw);
      if ('error' in parsed) {
        this.end(`refused: ${parsed.error}`);
        return;
      }
      this.handle(parsed.message);
    }
  }

  private handle(message: ClientMessage): void {
    if (message.t === 'hello') return this.hello(message.version, message.readOnly ?? false);
    if (!this.attached) return this.end('refused: a screen says hello first');
    const { supervisor, runner } = this.host;
    if (message.t === 'showing') return this.show(message.ids);
    if (this.readOnly) {
      if ('req' in message) this.send({ t: 'done', req: message.req, error: 'this screen is read-only' });
      return;
    }
    switch (message.t) {
      case 'write':
        return supervisor.write(message.id, message.data);
      case 'resize':
        supervisor.resize(message.id, message.cols, message.rows);
        return this.host.resized(this, message.id, message.cols, message.rows);
      case 'nudge':
        return supervisor.nudge(message.id);
      case 'restart':
        return this.reply(message.req, supervisor.restart(message.id));
      case 'stop-graceful':
        return this.reply(message.req, supervisor.stopGraceful());
      case 'stop-forced':
        return this.reply(message.req, supervisor.stopForced());
      case 'resume':
        return this.reply(message.req, supervisor.resume());
      case 'start-experiment':
        runner.startBuiltin(message.name, { workers: message.workers, command: message.command, id: message.runId });
        return;
      case 'cancel-experiment':
        return this.reply(message.req, runner.cancel(message.runId));
      case 'shutdown':
        // The reply is the service's goodbye: the screen waits for the socket to close.
        void this.host.shutdown({ down: message.down, by: 'a screen asked to stop every agent' });
        return;
    }
  }

  private reply(req: number, work: Promise<void>): void {
    work.then(
      () => this.send({ t: 'done', req }),
      (error: Error) => this.send({ t: 'done', req, error: error.message }),
    );
  }

  private hello(version: number, readOnly: boolean): void {
    if (version !== PROTOCOL_VERSION) {
      this.end(
        `refused: this service speaks protocol ${PROTOCOL_VERSION}, the screen ${version} (another ralph-tui version): run \`ralph-tui down\` and start again`,
      );
      return;
    }
    if (this.attached) return;
    this.attached = true;
    this.readOnly = readOnly;
    const { supervisor, runner } = this.host;
    this.send({
      t: 'welcome',
      version: PROTOCOL_VERSION,
      pid: process.pid,
      startedAt: this.host.startedAt,
      workspace: this.host.workspace,
      agents: supervisor.agentIds(),
      readOnly,
      snapshot: supervisor.getSnapshot(),
      runs: runner.getSnapshot(),
    });
    // Every pane until the screen says which it shows.
    this.show(supervisor.agentIds());
  }

  /**
   * Mirrors the panes in `ids` and stops mirroring the rest: each newly shown pane's screen first (small: a frame
   * needs only these), then each one's scrollback, then its writes.
   */
  private show(ids: readonly string[]): void {
    const { supervisor } = this.host;
    const agents = new Set(supervisor.agentIds());
    this.wanted = new Set(ids.filter((id) => agents.has(id)));
    for (const [id, unsubscribe] of this.mirrored) {
      if (this.wanted.has(id)) continue;
      unsubscribe();
      this.mirrored.delete(id);
    }
    const sessions = [...this.wanted].filter((id) => !this.mirrored.has(id)).map((id) => supervisor.session(id));
    const screens = Promise.all(sessions.map((session) => this.mirror(session)));
    void screens.then(() => this.sendHistories(sessions));
  }

  /** The pane's screen as it is now, then every write after it, in order; resolves once the screen is sent. */
  private mirror(session: AgentSession): Promise<void> {
    return new Promise((resolve) =>
      session.whenParsed(() => {
        resolve();
        // Hidden again, or mirrored by an earlier request, before its turn came.
        if (this.closed || !this.wanted.has(session.id) || this.mirrored.has(session.id)) return;
        this.send(paneMessage(session, false));
        this.mirrored.set(
          session.id,
          session.onWrite((data) =>
            this.send(
              typeof data === 'string'
                ? { t: 'out', id: session.id, text: data }
                : { t: 'out', id: session.id, bytes: Buffer.from(data).toString('base64') },
            ),
          ),
        );
      }),
    );
  }

  /**
   * One pane's scrollback at a time, once every screen is sent (a pane's scrollback took ~0.1–0.5 s to serialise
   * with 5,000 lines: the other panes' screens waited behind it), yielding between them so live output keeps flowing.
   */
  private async sendHistories(sessions: AgentSession[]): Promise<void> {
    for (const session of sessions) {
      await new Promise<void>((resolve) => setImmediate(resolve));
      await new Promise<void>((resolve) =>
        session.whenParsed(() => {
          if (!this.closed && this.mirrored.has(session.id)) this.send(paneMessage(session, true));
          resolve();
        }),
      );
      if (this.closed) return;
    }
  }

  private dispose(): void {
    if (this.closed) return;
    this.closed = true;
    for (const unsubscribe of this.mirrored.values()) unsubscribe();
    this.mirrored.clear();
    this.onClose();
  }
}

/** A pane's state as a screen rebuilds it: its screen, or with its scrollback. Call it inside whenParsed. */
function paneMessage(session: AgentSession, history: boolean): ServiceMessage {
  const { cols, rows } = session.terminal;
  return {
    t: 'pane',
    id: session.id,
    cols,
    rows,
    state: restorableState(session.terminal, session.serialize(history)),
    history,
  };
}
