// One agent's pty and headless terminal emulator, with bounded scrollback and a rotating transcript.
import path from 'node:path';
import pty, { type IPty } from 'node-pty';
import { StreamRedactor } from '../../core/redact.js';
import { AppendFile, ensureDir, readTail, replacementNote } from '../../core/safe-fs.js';
// @xterm/headless is CommonJS: on Node ESM only the default import works (ARCHITECTURE.md, pitfalls).
import xterm from '@xterm/headless';
// Also CommonJS (same pitfall).
import serializeAddon from '@xterm/addon-serialize';

export type Terminal = InstanceType<typeof xterm.Terminal>;

/** What to run in the pty: a file and its arguments, in a folder, with an environment. */
export interface SpawnSpec {
  file: string;
  args: string[];
  cwd: string;
  env: Record<string, string>;
  /**
   * The process continues a conversation the agent already had (re-attached to its pty holder in a container, or
   * `claude --continue` after the service died): its prompt was delivered before and must not be pasted again.
   */
  resumes?: 'reattached' | 'continued';
}

export interface ExitInfo {
  exitCode: number;
  signal?: number;
}

/** Lines kept above the screen: enough to scroll back through an agent's last few tool calls, bounded for memory. */
export const SCROLLBACK_LINES = 5000;

/** How much of the transcript a re-attached pane shows again: a few screens of a busy agent, parsed in ~0.1 s. */
export const RESTORED_TRANSCRIPT_BYTES = 256 * 1024;

/** A transcript rotates at this size into `<id>.log.1`: at most ~2 × 16 MB per agent on disk. */
export const TRANSCRIPT_MAX_BYTES = 16 * 1024 * 1024;

export interface SessionOptions {
  /** Values masked in the transcript (the pane shows the program's bytes as they are). */
  secrets?: readonly string[];
  transcriptMaxBytes?: number;
  /** Something about the transcript a person should know (it was replaced, it cannot be written). */
  onWarning?: (text: string) => void;
}

/**
 * The transcript is written in batches: a write per chunk (4 agents × 200 KB/s: hundreds a second) cost ~2.5 %
 * of a core in bench:agents, about a fifth of the supervisor's CPU, and 100 agents printing 10 times a second
 * made 1000 writes a second (6 % of the screen's time in bench:tui's profile; 4 % still at 200 a second). A
 * batch is written once the agent has been quiet for TRANSCRIPT_QUIET_MS (so a transcript is current whenever
 * the agent waits), and at least every TRANSCRIPT_BATCH_MS while it streams; the exit, a restart note and
 * dispose write it out at once.
 */
const TRANSCRIPT_QUIET_MS = 200;
const TRANSCRIPT_BATCH_MS = 1000;
const TRANSCRIPT_BATCH_BYTES = 256 * 1024;

/**
 * One agent's terminal: a headless emulator that the screen draws and a pty that feeds it. The emulator and the
 * transcript outlive the process, so a restarted agent continues in the same pane (like a shell running it in a
 * loop) and the screen keeps one reference per agent.
 */
export class AgentSession {
  readonly terminal: Terminal;
  private readonly serializer = new serializeAddon.SerializeAddon();
  private proc: IPty | null = null;
  private readonly transcript: AppendFile;
  private readonly redactor: StreamRedactor;
  private readonly outputListeners = new Set<(chunk: Uint8Array) => void>();
  private readonly writeListeners = new Set<(data: Uint8Array | string) => void>();
  private readonly exitListeners = new Set<(exit: ExitInfo) => void>();
  private lastOutput = 0;
  private disposed = false;
  /** Output not yet in the transcript, since when, and the last chunk's time (batches, see TRANSCRIPT_QUIET_MS). */
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private pendingSince = 0;
  private flushTimer: NodeJS.Timeout | null = null;

  constructor(
    readonly id: string,
    transcriptFile: string,
    cols = 120,
    rows = 40,
    options: SessionOptions = {},
  ) {
    this.terminal = new xterm.Terminal({ cols, rows, scrollback: SCROLLBACK_LINES, allowProposedApi: true });
    this.terminal.loadAddon(this.serializer);
    // The emulator answers queries (cursor position, device attributes) on onData; the program waits for them.
    this.terminal.onData((data) => this.proc?.write(data));
    this.redactor = new StreamRedactor(options.secrets ?? []);
    const warn = options.onWarning ?? (() => undefined);
    try {
      ensureDir(path.dirname(transcriptFile), { private: true });
    } catch (error) {
      warn(`transcript folder: ${(error as Error).message}`);
    }
    // A transcript that cannot be written must not kill the session; a link or pipe in its place is replaced.
    this.transcript = new AppendFile(transcriptFile, {
      private: true,
      maxBytes: options.transcriptMaxBytes ?? TRANSCRIPT_MAX_BYTES,
      onReplaced: (refusal) => warn(replacementNote(refusal)),
      onError: (error) => warn(`transcript not written: ${error.message}`),
    });
  }

  /** The program enabled bracketed paste (DECSET 2004): pastes must be wrapped so they arrive as one message. */
  get bracketedPaste(): boolean {
    return this.terminal.modes.bracketedPasteMode;
  }

  get pid(): number | undefined {
    return this.proc?.pid;
  }

  get running(): boolean {
    return this.proc !== null;
  }

  /** When the current or last process last printed (0 before any output). */
  get lastOutputAt(): number {
    return this.lastOutput;
  }

  /** Starts a process in the pty. The previous one must have exited. */
  spawn(spec: SpawnSpec): number {
    if (this.disposed) throw new Error(`session ${this.id} is disposed`);
    if (this.proc) throw new Error(`session ${this.id} is still running pid ${this.proc.pid}`);
    if (spec.resumes === 'reattached') this.restoreFromTranscript();
    // encoding null: raw bytes, so the transcript holds exactly what the program wrote and the emulator
    // decodes UTF-8 sequences split across reads itself.
    const proc = pty.spawn(spec.file, spec.args, {
      name: 'xterm-256color',
      cols: this.terminal.cols,
      rows: this.terminal.rows,
      cwd: spec.cwd,
      env: spec.env,
      encoding: null,
    });
    this.proc = proc;
    proc.onData((data: string | Buffer) => this.receive(typeof data === 'string' ? Buffer.from(data) : data));
    proc.onExit(({ exitCode, signal }) => {
      if (this.proc === proc) this.proc = null;
      const notify = () => {
        for (const listener of this.exitListeners) listener({ exitCode, signal: signal || undefined });
      };
      if (this.disposed) return notify();
      // Let the emulator finish parsing what arrived before the exit so listeners see the final screen, and the
      // transcript finish writing it (with the bytes held back for redaction), so whoever reacts to the exit can read
      // the whole session.
      this.terminal.write('', () => {
        this.flushTranscript(true);
        notify();
      });
    });
    return proc.pid;
  }

  /**
   * A pane re-attached to a process that outlived an earlier supervisor starts empty: the end of the transcript (from
   * a line start) goes into the emulator first, so the pane shows its history; the program then redraws its screen
   * (the holder signals it on attach). Only into an empty pane: one that already shows this agent keeps what it has.
   */
  private restoreFromTranscript(): void {
    const buffer = this.terminal.buffer.active;
    if (buffer.baseY > 0 || buffer.cursorY > 0 || buffer.cursorX > 0) return;
    let tail: Buffer | null;
    try {
      tail = readTail(this.transcript.file, RESTORED_TRANSCRIPT_BYTES + 1);
    } catch {
      return; // A transcript that cannot be read leaves the pane empty, as before.
    }
    if (!tail?.length) return;
    // A file longer than the window starts mid-line (maybe mid-sequence): from the first full line on.
    const start = tail.length > RESTORED_TRANSCRIPT_BYTES ? tail.indexOf(0x0a) + 1 : 0;
    if (start === 0 && tail.length > RESTORED_TRANSCRIPT_BYTES) return;
    // Whatever modes the old output left on (bracketed paste, alternate screen, colours) are the new program's to set;
    // written at once, so they come before anything the program writes. Saving the cursor first makes leaving the
    // alternate screen a no-op on the main one (it would restore a cursor nobody saved, the top left).
    const restored = Buffer.concat([
      tail.subarray(start),
      Buffer.from('\x1b7\x1b[?1049l\x1b[?2004l\x1b[?25h\x1b[0m\r\n'),
    ]);
    // Screens already attached to the service mirror the emulator through onWrite: they get the history too.
    this.terminal.write(restored, () => {
      for (const listener of this.writeListeners) listener(restored);
    });
  }

  /** Called with each chunk once the emulator has parsed it (the screen redraws from the emulator then). */
  onOutput(listener: (chunk: Uint8Array) => void): () => void {
    this.outputListeners.add(listener);
    return () => this.outputListeners.delete(listener);
  }

  /**
   * Called with everything written to the emulator (the program's output and the supervisor's notes), once parsed:
   * a screen attached to the service replays these on its copy of the emulator.
   */
  onWrite(listener: (data: Uint8Array | string) => void): () => void {
    this.writeListeners.add(listener);
    return () => this.writeListeners.delete(listener);
  }

  /**
   * Runs `callback` once everything written so far is parsed and nothing later has started: the moment the
   * emulator's state matches exactly the writes onWrite reported.
   */
  whenParsed(callback: () => void): void {
    this.terminal.write('', callback);
  }

  /**
   * The emulator's state as the escape sequences that rebuild it (screen, colours, cursor, modes), with the
   * scrollback or only the screen. Call it inside whenParsed so it matches what onWrite reported.
   */
  serialize(withScrollback: boolean): string {
    return this.serializer.serialize(withScrollback ? {} : { scrollback: 0 });
  }

  onExit(listener: (exit: ExitInfo) => void): () => void {
    this.exitListeners.add(listener);
    return () => this.exitListeners.delete(listener);
  }

  /** Sends keystrokes (or a paste) to the program; dropped when nothing runs. */
  write(data: string): void {
    this.proc?.write(data);
  }

  /** Resizes the emulator always and the pty while it runs (node-pty throws EBADF after exit). */
  resize(cols: number, rows: number): void {
    if (cols < 1 || rows < 1) return;
    this.terminal.resize(cols, rows);
    if (!this.proc) return;
    try {
      this.proc.resize(cols, rows);
    } catch {
      // The process exited between the check and the ioctl: the emulator size is what matters now.
    }
  }

  /**
   * Signals the program's whole process group: the pty made it a session leader (setsid), so its pid is the
   * group id and `sh -c`, taskset and every child the agent started go together.
   */
  kill(signal: NodeJS.Signals = 'SIGTERM'): void {
    const pid = this.proc?.pid;
    if (!pid) return;
    try {
      process.kill(-pid, signal);
    } catch {
      try {
        process.kill(pid, signal);
      } catch {
        // Already gone.
      }
    }
  }

  /** Resolves when the current process has exited (at once when none runs), sending SIGKILL after `timeoutMs`. */
  async terminate(signal: NodeJS.Signals = 'SIGHUP', timeoutMs = 3000): Promise<void> {
    if (!this.proc) return;
    const exited = new Promise<void>((resolve) => {
      const off = this.onExit(() => {
        off();
        resolve();
      });
    });
    this.kill(signal);
    const timer = setTimeout(() => this.kill('SIGKILL'), timeoutMs);
    await exited;
    clearTimeout(timer);
  }

  /**
   * Writes a supervisor line (restart marker) into the pane and the transcript, resetting modes a dead program
   * may have left on (bracketed paste, alternate screen, hidden cursor, colours).
   */
  note(text: string): void {
    // After the emulator parsed what the process wrote last: only then is its buffer (main or alternate) known.
    this.terminal.write('', () => {
      if (this.disposed) return;
      // Leaving the alternate screen is only for a program that died in it: on the main screen "leave" restores
      // a cursor nobody saved (the top left), and the output after the note overwrote the pane's oldest rows.
      const leave = this.terminal.buffer.active.type === 'alternate' ? '\x1b[?1049l' : '';
      // A note starts on a line of its own, without a blank line when the cursor already is at the start of one.
      const newline = this.terminal.buffer.active.cursorX > 0 ? '\r\n' : '';
      const line = `\x1b[?2004l${leave}\x1b[?25h\x1b[0m${newline}\x1b[2m[ralph-tui] ${text}\x1b[0m\r\n`;
      // The bytes the redactor held back (a possible secret's prefix) belong before the note.
      this.flushTranscript(true);
      this.transcript.write(line);
      this.terminal.write(line, () => {
        for (const listener of this.writeListeners) listener(line);
      });
    });
  }

  /**
   * The text of the last `count` non-empty screen lines up to the cursor: where a question to the user sits.
   * Ten lines hold Claude Code's whole permission box (question, three options, borders) below the command.
   */
  screenTail(count = 10, from: 'cursor' | 'bottom' = 'cursor'): string {
    const buffer = this.terminal.buffer.active;
    const lines: string[] = [];
    // 'bottom': the screen's last rows whatever the cursor does — Claude Code's first-run screens park the
    // cursor above the box they draw (ESC 7 … ESC 8), so the lines up to the cursor miss them.
    const bottom = buffer.baseY + (from === 'cursor' ? buffer.cursorY : this.terminal.rows - 1);
    for (let row = bottom; row >= buffer.baseY && lines.length < count; row -= 1) {
      const text = buffer.getLine(row)?.translateToString(true) ?? '';
      if (text.trim()) lines.unshift(text);
    }
    return lines.join('\n');
  }

  /** The last non-empty line up to the cursor, with the rows the emulator wrapped it into joined back. */
  lastLine(): string {
    const buffer = this.terminal.buffer.active;
    const text = (row: number, trim: boolean) => buffer.getLine(row)?.translateToString(trim) ?? '';
    let row = buffer.baseY + buffer.cursorY;
    // A screen's worth of blank rows at most: an empty pane has no last line.
    for (let blank = 0; row >= 0 && !text(row, true).trim(); row -= 1) if (++blank > this.terminal.rows) return '';
    if (row < 0) return '';
    let line = text(row, true);
    while (row > 0 && buffer.getLine(row)?.isWrapped) {
      row -= 1;
      line = text(row, false) + line;
    }
    return line.trim();
  }

  /** Closes the transcript and the emulator; kills a process still running. */
  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    this.kill('SIGKILL');
    this.proc = null;
    this.flushTranscript(true);
    this.transcript.close();
    this.terminal.dispose();
  }

  private receive(chunk: Buffer): void {
    if (this.disposed) return;
    this.lastOutput = Date.now();
    this.pending.push(chunk);
    this.pendingBytes += chunk.length;
    if (this.pending.length === 1) this.pendingSince = this.lastOutput;
    if (this.pendingBytes >= TRANSCRIPT_BATCH_BYTES) this.flushTranscript();
    else this.flushTimer ??= setTimeout(() => this.flushWhenDue(), TRANSCRIPT_QUIET_MS);
    this.terminal.write(chunk, () => {
      for (const listener of this.outputListeners) listener(chunk);
      for (const listener of this.writeListeners) listener(chunk);
    });
  }

  /** One timer per agent: re-armed until the agent went quiet or the batch is a second old. */
  private flushWhenDue(): void {
    this.flushTimer = null;
    const now = Date.now();
    const wait = Math.min(this.lastOutput + TRANSCRIPT_QUIET_MS, this.pendingSince + TRANSCRIPT_BATCH_MS) - now;
    if (wait > 0) this.flushTimer = setTimeout(() => this.flushWhenDue(), wait);
    else this.flushTranscript();
  }

  /**
   * Writes the batched output to the transcript, redacted. `whole` also writes what the redactor holds back (the
   * start of what may be a secret, kept until the next chunk shows): at the exit, before a note and at dispose.
   */
  private flushTranscript(whole = false): void {
    if (this.flushTimer) clearTimeout(this.flushTimer);
    this.flushTimer = null;
    if (this.pending.length > 0) {
      this.transcript.write(
        this.redactor.push(
          this.pending.length === 1 ? this.pending[0] : Buffer.concat(this.pending, this.pendingBytes),
        ),
      );
      this.pending = [];
      this.pendingBytes = 0;
    }
    if (!whole) return;
    const held = this.redactor.flush();
    if (held.length > 0) this.transcript.write(held);
  }
}
