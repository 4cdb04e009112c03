// The messages between the supervisor service and the screens attached to it: one JSON object per line.
import { StringDecoder } from 'node:string_decoder';
import * as v from 'valibot';
import type { ExperimentRunView } from '../experiments/experiment-runner.js';
import type { SupervisorSnapshot } from '../supervisor/index.js';

/** Bumped when a message changes meaning: a screen refuses a service of another version instead of misreading it. */
export const PROTOCOL_VERSION = 1;

const agentId = v.pipe(v.string(), v.regex(/^W\d{1,6}$/));
const runId = v.pipe(v.string(), v.regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$/));
const cells = v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(2000));
const req = v.pipe(v.number(), v.integer(), v.minValue(0));

/** What a screen may ask; anything else is refused (the socket is private, but a screen is still input). */
export const clientMessageSchema = v.variant('t', [
  v.object({ t: v.literal('hello'), version: v.number(), readOnly: v.optional(v.boolean()) }),
  /** The panes the screen shows: only those get live output (a hidden pane gets its state again when shown). */
  v.object({ t: v.literal('showing'), ids: v.pipe(v.array(agentId), v.maxLength(10_000)) }),
  v.object({ t: v.literal('write'), id: agentId, data: v.pipe(v.string(), v.maxLength(1 << 20)) }),
  v.object({ t: v.literal('resize'), id: agentId, cols: cells, rows: cells }),
  v.object({ t: v.literal('restart'), id: agentId, req }),
  v.object({ t: v.literal('nudge'), id: agentId }),
  v.object({ t: v.literal('stop-graceful'), req }),
  v.object({ t: v.literal('stop-forced'), req }),
  v.object({ t: v.literal('resume'), req }),
  v.object({ t: v.literal('shutdown'), req, down: v.optional(v.boolean()) }),
  v.object({
    t: v.literal('start-experiment'),
    runId,
    name: v.pipe(v.string(), v.maxLength(200)),
    workers: v.optional(v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(1024))),
    command: v.optional(v.pipe(v.string(), v.maxLength(10_000))),
  }),
  v.object({ t: v.literal('cancel-experiment'), runId, req }),
]);

export type ClientMessage = v.InferOutput<typeof clientMessageSchema>;

/** What the service sends. `pane` replaces a screen's copy of an agent's emulator; `out` is what was written to it since. */
export type ServiceMessage =
  | {
      t: 'welcome';
      version: number;
      pid: number;
      /** When the service started (epoch ms): a config edited after it is not what the agents run with. */
      startedAt: number;
      workspace: string;
      agents: string[];
      readOnly: boolean;
      snapshot: SupervisorSnapshot;
      runs: ExperimentRunView[];
    }
  /** `history`: the state includes the scrollback (sent after every shown pane's screen, which comes first). */
  | { t: 'pane'; id: string; cols: number; rows: number; state: string; history: boolean }
  /** Program output as base64 (raw bytes: UTF-8 split across chunks is the emulator's to join) or a note's text. */
  | { t: 'out'; id: string; bytes?: string; text?: string }
  | { t: 'size'; id: string; cols: number; rows: number }
  | { t: 'snapshot'; snapshot: SupervisorSnapshot }
  | { t: 'runs'; runs: ExperimentRunView[] }
  | { t: 'done'; req: number; error?: string }
  | { t: 'bye'; reason: string };

export function encodeMessage(message: ClientMessage | ServiceMessage): string {
  return `${JSON.stringify(message)}\n`;
}

/**
 * Splits a socket's bytes into messages. JSON.stringify escapes newlines inside strings, so a line is a message.
 * A line longer than `maxLine` is an error (a peer that never sends a newline must not grow memory without bound).
 * A line's pieces are kept apart until its end arrives: searching and re-joining the whole unfinished line at every
 * chunk made reading ten panes' scrollback (12 MB in 64 KB chunks) cost 140–750 ms instead of 20–50.
 */
export class MessageReader {
  private readonly decoder = new StringDecoder('utf8');
  private partial: string[] = [];
  private partialLength = 0;

  constructor(private readonly maxLine: number) {}

  push(chunk: Buffer): unknown[] {
    const text = this.decoder.write(chunk);
    const messages: unknown[] = [];
    let start = 0;
    for (let end = text.indexOf('\n'); end >= 0; end = text.indexOf('\n', start)) {
      const tail = text.slice(start, end);
      const line = this.partial.length > 0 ? this.partial.join('') + tail : tail;
      this.partial = [];
      this.partialLength = 0;
      start = end + 1;
      if (line !== '') messages.push(JSON.parse(line) as unknown);
    }
    if (start < text.length) {
      this.partial.push(text.slice(start));
      this.partialLength += text.length - start;
    }
    if (this.partialLength > this.maxLine)
      throw new Error(`a message longer than ${this.maxLine} bytes without a line end`);
    return messages;
  }
}

/** A client message checked against the schema, or the reason it is refused. */
export function parseClientMessage(raw: unknown): { message: ClientMessage } | { error: string } {
  const result = v.safeParse(clientMessageSchema, raw);
  if (result.success) return { message: result.output };
  const issue = result.issues[0];
  const where = issue.path?.map((item) => String(item.key)).join('.') ?? '';
  return { error: `bad message${where ? ` (${where})` : ''}: ${issue.message}` };
}
