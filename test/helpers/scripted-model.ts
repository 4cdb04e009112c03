// A scripted stand-in for the Anthropic Messages API on localhost: plays a script per agent to the real Claude CLI.
import http from 'node:http';
import type { AddressInfo } from 'node:net';

/** One assistant turn: some text, then optionally one Bash tool call (the CLI runs it and sends its output back). */
export interface Reply {
  text?: string;
  bash?: string;
}

/** What a step can look at when it decides its reply. */
export interface TurnContext {
  /** The text of the newest user turn (a prompt, a nudge) or '' when the newest turn is a tool result. */
  userText: string;
  /** The newest tool result's text, when the newest turn is one. */
  toolResult?: string;
  /** Every user text of the conversation so far, oldest first. */
  allUserText: string[];
}

/**
 * A step of an agent's script. `when` holds the step back until the conversation matches (the reply is then the
 * script's `waiting` text, and the step stays next); `reply` may depend on the tool result it reacts to.
 */
export interface Step {
  when?: (turn: TurnContext) => boolean;
  reply: Reply | ((turn: TurnContext) => Reply);
}

export interface AgentScript {
  steps: Step[];
  /** Said (end of turn) while the next step waits for its `when`, and after the last step. */
  waiting?: string;
}

/** A request the CLI sent, as recorded. */
export interface RecordedRequest {
  agent: string;
  method: string;
  path: string;
  headers: http.IncomingHttpHeaders;
  body: unknown;
  /** A main-loop turn (it offered the Bash tool) rather than a side request (titles, topic checks, quotas). */
  scripted: boolean;
  time: number;
  /** When the reply was fully sent (epoch ms). */
  repliedAt?: number;
}

export interface MessageBody {
  model?: string;
  stream?: boolean;
  tools?: { name?: string }[];
  messages?: { role: string; content: string | { type: string; text?: string; content?: unknown }[] }[];
}

/**
 * Serves `http://127.0.0.1:<port>/<agent>` as an agent's ANTHROPIC_BASE_URL: the CLI appends `/v1/messages`, so
 * the first path segment says whose script answers. Main-loop turns (requests offering the Bash tool) advance the
 * agent's script; side requests (session titles, topic detection, the quota probe, token counts) get a short
 * neutral answer, so the CLI never waits on anything but the script.
 */
export class ScriptedModel {
  readonly requests: RecordedRequest[] = [];
  private readonly scripts = new Map<string, { script: AgentScript; next: number }>();
  private readonly server: http.Server;
  private toolIds = 0;

  constructor(scripts: Record<string, AgentScript> = {}) {
    for (const [agent, script] of Object.entries(scripts)) this.setScript(agent, script);
    this.server = http.createServer((req, res) => void this.handle(req, res));
  }

  /** Replaces an agent's script (the next main-loop turn plays its first step) and forgets its recorded requests. */
  setScript(agent: string, script: AgentScript): void {
    this.scripts.set(agent, { script, next: 0 });
    for (let i = this.requests.length - 1; i >= 0; i--)
      if (this.requests[i]!.agent === agent) this.requests.splice(i, 1);
  }

  /** How many steps of the agent's script have been played. */
  played(agent: string): number {
    return this.scripts.get(agent)?.next ?? 0;
  }

  async listen(host = '127.0.0.1', port = 0): Promise<number> {
    await new Promise<void>((resolve) => this.server.listen(port, host, resolve));
    return (this.server.address() as AddressInfo).port;
  }

  /** Listens on a unix socket instead (reachable from a container that mounts it). */
  async listenSocket(file: string): Promise<void> {
    await new Promise<void>((resolve) => this.server.listen(file, resolve));
  }

  baseUrl(agent: string): string {
    const address = this.server.address() as AddressInfo;
    return `http://127.0.0.1:${address.port}/${agent}`;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  /** The main-loop requests of one agent, oldest first. */
  turns(agent: string): RecordedRequest[] {
    return this.requests.filter((request) => request.agent === agent && request.scripted);
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const text = Buffer.concat(chunks).toString('utf8');
    let body: unknown = text;
    try {
      body = text ? JSON.parse(text) : undefined;
    } catch {
      // Not JSON: recorded as it came.
    }
    const url = new URL(req.url ?? '/', 'http://localhost');
    const [, agent = '', ...rest] = url.pathname.split('/');
    const route = `/${rest.join('/')}`;
    const message = (body ?? {}) as MessageBody;
    const scripted = route === '/v1/messages' && (message.tools ?? []).some((tool) => tool.name === 'Bash');
    const record: RecordedRequest = {
      agent,
      method: req.method ?? 'GET',
      path: `${route}${url.search}`,
      headers: req.headers,
      body,
      scripted,
      time: Date.now(),
    };
    this.requests.push(record);
    res.on('finish', () => (record.repliedAt = Date.now()));

    if (req.method === 'POST' && route === '/v1/messages/count_tokens') return json(res, { input_tokens: 100 });
    if (req.method === 'POST' && route === '/v1/messages') {
      const reply = scripted ? this.nextReply(agent, message) : { text: 'ok' };
      const model = message.model ?? 'claude-scripted';
      if (message.stream) return this.stream(res, model, reply);
      return json(res, this.messageObject(model, reply));
    }
    // Anything else (feature flags, account or grove settings, telemetry): an empty success keeps the CLI quiet.
    if (req.method === 'GET') return json(res, {});
    return json(res, {});
  }

  private nextReply(agent: string, body: MessageBody): Reply {
    const entry = this.scripts.get(agent);
    const turn = turnContext(body);
    if (!entry) return { text: `No script for agent "${agent}".` };
    const step = entry.script.steps[entry.next];
    if (!step || (step.when && !step.when(turn))) return { text: entry.script.waiting ?? 'Waiting.' };
    entry.next += 1;
    return typeof step.reply === 'function' ? step.reply(turn) : step.reply;
  }

  private blocks(reply: Reply): { type: string; [key: string]: unknown }[] {
    const blocks: { type: string; [key: string]: unknown }[] = [];
    if (reply.text) blocks.push({ type: 'text', text: reply.text });
    if (reply.bash !== undefined) {
      this.toolIds += 1;
      blocks.push({
        type: 'tool_use',
        id: `toolu_scripted_${this.toolIds}`,
        name: 'Bash',
        input: { command: reply.bash, description: 'Run a command' },
      });
    }
    if (!blocks.length) blocks.push({ type: 'text', text: '' });
    return blocks;
  }

  private messageObject(model: string, reply: Reply) {
    const content = this.blocks(reply);
    return {
      id: `msg_scripted_${Date.now()}`,
      type: 'message',
      role: 'assistant',
      model,
      content,
      stop_reason: reply.bash !== undefined ? 'tool_use' : 'end_turn',
      stop_sequence: null,
      usage: { input_tokens: 100, output_tokens: 20, cache_creation_input_tokens: 0, cache_read_input_tokens: 0 },
    };
  }

  /** The reply as server-sent events, the way the real API streams it (text in a few deltas, tool input as JSON deltas). */
  private stream(res: http.ServerResponse, model: string, reply: Reply): void {
    const message = this.messageObject(model, reply);
    res.writeHead(200, {
      'content-type': 'text/event-stream',
      'cache-control': 'no-cache',
      connection: 'keep-alive',
      'request-id': message.id,
    });
    const send = (event: string, data: unknown) => res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
    send('message_start', {
      type: 'message_start',
      message: { ...message, content: [], stop_reason: null, usage: { ...message.usage, output_tokens: 1 } },
    });
    message.content.forEach((block, index) => {
      if (block.type === 'text') {
        send('content_block_start', { type: 'content_block_start', index, content_block: { type: 'text', text: '' } });
        for (const piece of splitText(String(block.text)))
          send('content_block_delta', {
            type: 'content_block_delta',
            index,
            delta: { type: 'text_delta', text: piece },
          });
      } else {
        send('content_block_start', { type: 'content_block_start', index, content_block: { ...block, input: {} } });
        const input = JSON.stringify(block.input);
        const half = Math.floor(input.length / 2);
        for (const piece of [input.slice(0, half), input.slice(half)])
          send('content_block_delta', {
            type: 'content_block_delta',
            index,
            delta: { type: 'input_json_delta', partial_json: piece },
          });
      }
      send('content_block_stop', { type: 'content_block_stop', index });
    });
    send('message_delta', {
      type: 'message_delta',
      delta: { stop_reason: message.stop_reason, stop_sequence: null },
      usage: { output_tokens: 20 },
    });
    send('message_stop', { type: 'message_stop' });
    res.end();
  }
}

function json(res: http.ServerResponse, value: unknown): void {
  res.writeHead(200, { 'content-type': 'application/json' });
  res.end(JSON.stringify(value));
}

function splitText(text: string): string[] {
  const pieces = text.match(/[\s\S]{1,40}/g);
  return pieces ?? [''];
}

function textOf(content: unknown): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  return content
    .map((part: { type?: string; text?: string; content?: unknown }) =>
      part.type === 'text' ? (part.text ?? '') : part.type === 'tool_result' ? textOf(part.content) : '',
    )
    .join('\n');
}

/** What the newest user turn says: typed text (system reminders dropped) or a tool result. */
export function turnContext(body: MessageBody): TurnContext {
  const users = (body.messages ?? []).filter((message) => message.role === 'user');
  const typed = (message: (typeof users)[number]): string => {
    if (typeof message.content === 'string') return message.content;
    return message.content
      .filter((part) => part.type === 'text' && !String(part.text).startsWith('<system-reminder>'))
      .map((part) => part.text ?? '')
      .join('\n');
  };
  const last = users[users.length - 1];
  const allUserText = users.map(typed).filter(Boolean);
  if (!last) return { userText: '', allUserText };
  const result =
    typeof last.content === 'string' ? undefined : last.content.find((part) => part.type === 'tool_result');
  if (result) return { userText: '', toolResult: textOf(result.content), allUserText };
  return { userText: typed(last), allUserText };
}
