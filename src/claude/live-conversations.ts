// Which local Claude agents were mid-conversation when the last supervisor vanished: they restart with `--continue`.
import { PRIVATE_FILE_MODE, readText, removeFile, writeAtomicSync } from '../../core/safe-fs.js';
import type { SpawnSpec } from '../supervisor/agent-session.js';
import type { EventLog, SupervisorEvent } from '../supervisor/event-log.js';
import { runsClaudeCli } from './claude-launch.js';

/** What this module needs to know of an agent. */
export interface ConversationAgent {
  id: string;
  runtime: string;
  kind?: string;
  command: string;
}

/** The file is small (an id and a time per agent): anything bigger is not ours. */
const MAX_BYTES = 64 * 1024;

/**
 * A local agent's process is a child of the supervisor under its pty, so it dies with the supervisor (kill -9, a
 * crash, power lost); its Claude conversation stays in its config folder, and `claude --continue` in the same folder
 * with the same CLAUDE_CONFIG_DIR picks it up again. This records, in the supervisor's private file
 * `.ralph/conversations.json` (agent id → when its conversation began), which agents have one:
 *
 * - a conversation begins when the agent's prompt is delivered (before that Claude has nothing to continue);
 * - it ends whenever the agent's process exits while the supervisor runs: a crash restart, a manual restart, a
 *   graceful STOP and a forced stop all start the next process fresh, with the prompt, as before;
 * - `close()` ends them all: the supervisor shut down in order (`ralph-tui down`, Q in the screen, Ctrl-C or SIGTERM
 *   to `up --headless`, `--exit-after`) is a clean stop, and the next start is fresh too.
 *
 * So a conversation still recorded when a supervisor starts was cut off by the previous one vanishing: that agent's
 * first start continues it and its prompt is not pasted again. If Claude has nothing to continue ("No conversation
 * found to continue", exit 1), that exit ends the record and the restart is a fresh start with the prompt: never a
 * loop of failing continues.
 */
export class LiveConversations {
  private readonly eligible: Set<string>;
  /** Agent id → ISO time its conversation began; loaded on first use (after the supervisor's listeners subscribed). */
  private begun: Record<string, string> | null = null;
  /** Conversations the previous supervisor left running, not yet ended in this one. */
  private readonly inherited = new Set<string>();
  private readonly unsubscribe: () => void;
  private writeFailed = false;

  constructor(
    private readonly file: string,
    agents: readonly ConversationAgent[],
    private readonly events: EventLog,
  ) {
    this.eligible = new Set(
      agents.filter((agent) => agent.runtime === 'local' && runsClaudeCli(agent)).map((agent) => agent.id),
    );
    this.unsubscribe = events.subscribe((event) => this.observe(event));
  }

  /** The agent's next process resumes its conversation (`claude --continue`; nudged once ready, never prompted). */
  continues(agentId: string): boolean {
    this.load();
    return this.inherited.has(agentId);
  }

  /** The spawn spec as it is, or marked as continuing a conversation (its prompt is then not pasted again). */
  resumes(agentId: string, spec: SpawnSpec): SpawnSpec {
    return this.continues(agentId) ? { ...spec, resumes: 'continued' } : spec;
  }

  /** The supervisor shuts down in order: every conversation ends (the exits of the processes it stops follow). */
  close(): void {
    this.unsubscribe();
    this.begun = {};
    this.inherited.clear();
    try {
      forgetConversations(this.file);
    } catch (error) {
      this.warn(`${this.file} not removed: ${(error as Error).message}`);
    }
  }

  private observe(event: SupervisorEvent): void {
    if (!this.eligible.has(event.agent)) return;
    if (event.type === 'prompt-delivered') {
      this.load();
      this.begun![event.agent] = event.time;
      this.save();
    } else if (event.type === 'exit') {
      this.load();
      this.inherited.delete(event.agent);
      if (!(event.agent in this.begun!)) return;
      delete this.begun![event.agent];
      this.save();
    }
  }

  private load(): void {
    if (this.begun) return;
    this.begun = {};
    let parsed: unknown = {};
    try {
      parsed = JSON.parse(readText(this.file, { maxBytes: MAX_BYTES }) ?? '{}');
    } catch (error) {
      // Unreadable means no conversation to continue: every agent starts fresh, with its prompt.
      this.warn(`${this.file} not read (${(error as Error).message}): every Claude agent starts a new conversation`);
    }
    if (typeof parsed !== 'object' || parsed === null) return;
    for (const [id, since] of Object.entries(parsed)) {
      if (!this.eligible.has(id) || typeof since !== 'string') continue;
      this.begun[id] = since;
      this.inherited.add(id);
    }
  }

  private save(): void {
    try {
      writeAtomicSync(this.file, `${JSON.stringify(this.begun, null, 2)}\n`, { mode: PRIVATE_FILE_MODE });
      this.writeFailed = false;
    } catch (error) {
      // A full disk must not stop the agents; the record is then as of the last write. Said once per failure run.
      if (!this.writeFailed) this.warn(`${this.file} not written: ${(error as Error).message}`);
      this.writeFailed = true;
    }
  }

  private warn(reason: string): void {
    this.events.emit({ agent: '*', type: 'warning', reason });
  }
}

/** Ends every recorded conversation (`ralph-tui down` when no supervisor runs: the last one vanished). */
export function forgetConversations(file: string): void {
  removeFile(file);
}
