// The supervisor's event log: appends each event to `.ralph/events.jsonl` and hands it to listeners.
import os from 'node:os';
import path from 'node:path';
import { plainText } from '../../core/plain-text.js';
import { redactSecrets } from '../../core/redact.js';
import { appendText, ensureDir, replacementNote } from '../../core/safe-fs.js';

export type SupervisorEventType =
  | 'started'
  | 'prompt-delivered'
  | 'state'
  | 'exit'
  | 'restart-scheduled'
  | 'restart'
  | 'nudge'
  | 'stop-requested'
  | 'drained'
  | 'resumed'
  | 'stopped'
  | 'container'
  | 'warning'
  | 'error';

/** One line of `.ralph/events.jsonl`: what happened to which agent ("*" = the supervisor itself), and why. */
export interface SupervisorEvent {
  time: string;
  agent: string;
  type: SupervisorEventType;
  reason?: string;
  pid?: number;
  exitCode?: number;
  signal?: number;
  delayMs?: number;
  state?: string;
  attempt?: number;
}

type Listener = (event: SupervisorEvent) => void;

/**
 * Appends every event to `.ralph/events.jsonl` (synchronously: events are rare — restarts, nudges,
 * state changes — and a crash must not lose the last one) and hands it to listeners. Reasons are redacted
 * (secret values never reach the file or the headless output); the file is the supervisor's own (0600), and a
 * link or pipe put in its place is replaced, never written through, with a warning event saying so.
 */
export class EventLog {
  private readonly listeners = new Set<Listener>();
  private writeFailed = false;

  constructor(
    private readonly file: string,
    private readonly secrets: readonly string[] = [],
  ) {
    ensureDir(path.dirname(file), { private: true });
  }

  emit(event: Omit<SupervisorEvent, 'time'> & { time?: string }): SupervisorEvent {
    const full: SupervisorEvent = { ...event, time: event.time ?? new Date().toISOString() };
    // Reasons quote files agents write (a STOP reason, an error naming a file): one line, no escapes, no secrets.
    if (full.reason !== undefined) full.reason = plainText(redactSecrets(full.reason, this.secrets));
    let replaced: string | null = null;
    try {
      appendText(this.file, `${JSON.stringify(full)}\n`, {
        private: true,
        onReplaced: (refusal) => (replaced = replacementNote(refusal)),
      });
    } catch (error) {
      // A full disk must not take the supervisor down; say it once and keep the agents running.
      if (!this.writeFailed) {
        this.writeFailed = true;
        process.emitWarning(`ralph-tui: cannot append to ${this.file}: ${(error as Error).message}`);
      }
    }
    for (const listener of this.listeners) listener(full);
    if (replaced) this.emit({ agent: '*', type: 'warning', reason: replaced });
    return full;
  }

  subscribe(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}

/** The headless line for an event, e.g. `12:00:01 W1 started (pid 123)`. */
export function formatEvent(event: SupervisorEvent): string {
  const time = new Date(event.time).toTimeString().slice(0, 8);
  const detail = describeEvent(event);
  return `${time} ${event.agent} ${detail}`;
}

/** The event without time and agent, e.g. `restart in 10 s (exit code 1, failure 1 in a row)`. */
export function describeEvent(event: SupervisorEvent): string {
  const why = event.reason ? ` (${event.reason})` : '';
  switch (event.type) {
    case 'started':
      // Why it started matters here: a conversation continued (no prompt pasted), or a stop lifted.
      return `started${event.pid !== undefined ? ` (pid ${event.pid}${event.reason ? `; ${event.reason}` : ''})` : why}`;
    case 'prompt-delivered':
      return `prompt delivered${why}`;
    case 'state':
      return `state ${event.state}${why}`;
    case 'exit':
      return `${event.signal ? `killed by ${signalName(event.signal)}` : `exited with code ${event.exitCode ?? '?'}`}${why}`;
    case 'restart-scheduled':
      return `restart in ${formatDelay(event.delayMs ?? 0)}${why}`;
    case 'restart':
      return `restarting${event.attempt ? ` (restart ${event.attempt})` : ''}${why}`;
    case 'nudge':
      return `nudged${why}`;
    case 'stop-requested':
      return `stop requested${why}`;
    case 'drained':
      return `all agents stopped${why}`;
    case 'resumed':
      return `resumed${why}`;
    case 'stopped':
      return `stopped${why}`;
    case 'container':
      return `container ${event.state ?? ''}${why}`.trimEnd();
    case 'warning':
      return `warning: ${event.reason ?? ''}`;
    case 'error':
      return `error: ${event.reason ?? ''}`;
  }
}

function signalName(signal: number): string {
  const entry = Object.entries(os.constants.signals).find(([, value]) => value === signal);
  return entry ? entry[0] : `signal ${signal}`;
}

function formatDelay(ms: number): string {
  return ms < 1000 ? `${ms} ms` : `${(ms / 1000).toFixed(ms % 1000 === 0 ? 0 : 1)} s`;
}
