// A screen's connection to the supervisor service: the supervisor and experiment runner the app drives, remotely.
import net from 'node:net';
import { UserError } from '../../core/errors.js';
import type { ExperimentRunnerPort, SupervisorPort } from '../app/ports.js';
import type { ExperimentRunView } from '../experiments/experiment-runner.js';
import { newRunId } from '../experiments/run-id.js';
import type { SupervisorSnapshot } from '../supervisor/index.js';
import { PaneMirror } from './pane-mirror.js';
import {
  encodeMessage,
  MessageReader,
  PROTOCOL_VERSION,
  type ClientMessage,
  type ServiceMessage,
} from './service-protocol.js';

/** A pane's scrollback serialised is about 0.5 MB per 5,000 lines: a line far past that is not from our service. */
const MAX_MESSAGE_BYTES = 64 * 1024 * 1024;

type Welcome = Extract<ServiceMessage, { t: 'welcome' }>;

/** No service listens: the socket file is missing, or left behind by one that died. */
export function noServiceListening(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException).code;
  return code === 'ENOENT' || code === 'ECONNREFUSED';
}

/** Connects to the service listening on `socket`; rejects with the connect error (see noServiceListening) if none. */
export function connectSocket(socket: string): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const connection = net.connect(socket);
    connection.once('connect', () => {
      connection.off('error', reject);
      resolve(connection);
    });
    connection.once('error', reject);
  });
}

/**
 * The app's view of a running service: `supervisor` and `runner` satisfy the ports the screen already uses, so the
 * app does not know whether the agents are in this process. `ended` resolves with the reason when the connection
 * ends for any reason but detach().
 */
export class ServiceClient {
  readonly supervisor: SupervisorPort;
  readonly runner: ExperimentRunnerPort;
  readonly ended: Promise<string>;
  readonly readOnly: boolean;
  readonly servicePid: number;
  /** When the service started (epoch ms). */
  readonly serviceStartedAt: number;
  private readonly mirrors = new Map<string, PaneMirror>();
  private readonly pending = new Map<number, { resolve: () => void; reject: (error: Error) => void }>();
  private snapshot: SupervisorSnapshot;
  private runs: ExperimentRunView[];
  private readonly snapshotListeners = new Set<() => void>();
  private readonly runListeners = new Set<() => void>();
  private nextReq = 1;
  /** The panes this screen shows, as last told to the service. */
  private shown = '';
  private nextRun = 0;
  private detaching = false;
  private endedResolve!: (reason: string) => void;

  /** Says hello on a connected socket and waits for the welcome (a refusal is a UserError with the service's reason). */
  static async attach(socket: net.Socket, opts: { readOnly?: boolean } = {}): Promise<ServiceClient> {
    const reader = new MessageReader(MAX_MESSAGE_BYTES);
    const early: ServiceMessage[] = [];
    let onData: (chunk: Buffer) => void = () => undefined;
    let onClose: () => void = () => undefined;
    const welcome = await new Promise<Welcome>((resolve, reject) => {
      let welcomed: Welcome | undefined;
      onData = (chunk: Buffer) => {
        let messages: ServiceMessage[];
        try {
          messages = reader.push(chunk) as ServiceMessage[];
        } catch (error) {
          return reject(error as Error);
        }
        for (const message of messages) {
          if (message.t === 'bye' && !welcomed)
            return reject(new UserError(`the supervisor service refused this screen: ${message.reason}`));
          if (message.t === 'welcome') welcomed = message;
          else early.push(message);
        }
        if (welcomed) resolve(welcomed);
      };
      onClose = () => reject(new UserError('the supervisor service closed the connection before it answered'));
      socket.on('data', onData);
      socket.once('close', onClose);
      socket.write(encodeMessage({ t: 'hello', version: PROTOCOL_VERSION, readOnly: opts.readOnly }));
    }).finally(() => {
      socket.off('data', onData);
      socket.off('close', onClose);
    });
    return new ServiceClient(socket, reader, welcome, early);
  }

  private constructor(
    private readonly socket: net.Socket,
    reader: MessageReader,
    welcome: Welcome,
    early: ServiceMessage[],
  ) {
    this.readOnly = welcome.readOnly;
    this.servicePid = welcome.pid;
    this.serviceStartedAt = welcome.startedAt;
    this.snapshot = welcome.snapshot;
    this.runs = welcome.runs;
    for (const id of welcome.agents) this.mirrors.set(id, new PaneMirror(120, 40));
    this.ended = new Promise((resolve) => (this.endedResolve = resolve));
    let byeReason: string | undefined;
    for (const message of early) this.receive(message);
    socket.on('data', (chunk: Buffer) => {
      let messages: ServiceMessage[];
      try {
        messages = reader.push(chunk) as ServiceMessage[];
      } catch (error) {
        byeReason = `unreadable message from the service: ${(error as Error).message}`;
        socket.destroy();
        return;
      }
      for (const message of messages) {
        if (message.t === 'bye') byeReason = message.reason;
        else this.receive(message);
      }
    });
    socket.on('error', () => undefined);
    socket.on('close', () => {
      for (const { reject } of this.pending.values()) reject(new Error('the supervisor service is gone'));
      this.pending.clear();
      if (!this.detaching) this.endedResolve(byeReason ?? 'the connection to the supervisor service was lost');
    });
    this.supervisor = this.supervisorPort();
    this.runner = this.runnerPort();
  }

  /** Leaves the service running: the agents do not notice. */
  detach(): void {
    this.detaching = true;
    this.socket.end();
    for (const mirror of this.mirrors.values()) mirror.dispose();
  }

  private receive(message: ServiceMessage): void {
    switch (message.t) {
      case 'pane':
        return this.mirrors.get(message.id)?.restore(message.state, message.cols, message.rows);
      case 'out':
        return this.mirrors
          .get(message.id)
          ?.write(message.bytes !== undefined ? Buffer.from(message.bytes, 'base64') : (message.text ?? ''));
      case 'size':
        return this.mirrors.get(message.id)?.resize(message.cols, message.rows);
      case 'snapshot':
        this.snapshot = message.snapshot;
        for (const listener of this.snapshotListeners) listener();
        return;
      case 'runs':
        this.runs = message.runs;
        for (const listener of this.runListeners) listener();
        return;
      case 'done': {
        const waiting = this.pending.get(message.req);
        this.pending.delete(message.req);
        if (message.error !== undefined) waiting?.reject(new Error(message.error));
        else waiting?.resolve();
        return;
      }
      case 'welcome':
      case 'bye':
        return;
    }
  }

  private send(message: ClientMessage): void {
    if (!this.socket.writable) return;
    this.socket.write(encodeMessage(message));
  }

  /** Sends a request and resolves when the service carried it out (rejects with its error). */
  private request(make: (req: number) => ClientMessage): Promise<void> {
    const req = this.nextReq++;
    return new Promise((resolve, reject) => {
      if (!this.socket.writable) return reject(new Error('the supervisor service is gone'));
      this.pending.set(req, { resolve, reject });
      this.send(make(req));
    });
  }

  private mirror(id: string): PaneMirror {
    const mirror = this.mirrors.get(id);
    if (!mirror)
      throw new UserError(`no agent ${id} in this supervisor service (agents: ${[...this.mirrors.keys()].join(', ')})`);
    return mirror;
  }

  private supervisorPort(): SupervisorPort {
    return {
      getSnapshot: () => this.snapshot,
      subscribe: (listener) => {
        this.snapshotListeners.add(listener);
        return () => this.snapshotListeners.delete(listener);
      },
      agentIds: () => [...this.mirrors.keys()],
      session: (id) => this.mirror(id),
      write: (id, data) => this.send({ t: 'write', id, data }),
      showing: (ids) => {
        const key = ids.join(' ');
        if (key === this.shown) return;
        this.shown = key;
        this.send({ t: 'showing', ids: [...ids] });
      },
      resize: (id, cols, rows) => {
        // A read-only screen shows the panes at the size the controlling screen gave them.
        if (this.readOnly) return;
        this.mirror(id).resize(cols, rows);
        this.send({ t: 'resize', id, cols, rows });
      },
      restart: (id) => this.request((req) => ({ t: 'restart', id, req })),
      nudge: (id) => this.send({ t: 'nudge', id }),
      stopGraceful: () => this.request((req) => ({ t: 'stop-graceful', req })),
      stopForced: () => this.request((req) => ({ t: 'stop-forced', req })),
      resume: () => this.request((req) => ({ t: 'resume', req })),
      shutdown: async (opts) => {
        // Stopping every agent ends the service: done when it closed the connection.
        this.send({ t: 'shutdown', req: this.nextReq++, down: opts?.down });
        await this.ended;
      },
    };
  }

  private runnerPort(): ExperimentRunnerPort {
    return {
      getSnapshot: () => this.runs,
      subscribe: (listener) => {
        this.runListeners.add(listener);
        return () => this.runListeners.delete(listener);
      },
      startBuiltin: (name, opts = {}) => {
        const runId = newRunId(name, ++this.nextRun);
        this.send({ t: 'start-experiment', runId, name, workers: opts.workers, command: opts.command });
        return runId;
      },
      cancel: (runId) => this.request((req) => ({ t: 'cancel-experiment', runId, req })),
      // The runs belong to the service: a screen leaving does not cancel them.
      dispose: async () => undefined,
    };
  }
}
