// Agent state names, the hook status file schema, and how the two combine into what the screen shows.
import { z } from 'zod';
import { UserError } from '../../core/errors.js';

export const AgentStateName = z.enum([
  'starting',
  'working',
  'idle',
  'needs-input',
  'needs-login',
  'exited',
  'restarting',
  'stopped',
]);
export type AgentStateName = z.infer<typeof AgentStateName>;

/** Where the agent's process is in its life; the controller owns this, the classifier refines "running". */
export type AgentPhase = 'starting' | 'running' | 'exited' | 'restarting' | 'stopped';

/**
 * `.ralph/agents/<id>/status.json` (RALPH_STATUS_FILE), written by a Claude Code hook (Stop, Notification, PermissionRequest, …) inside the
 * agent's container or process. agent-deck's lesson: hooks are right where screen-scraping guesses, so a fresh
 * hook status is trusted first and the screen rules are only the fallback. Hooks may use their own words for the
 * states; the common ones are mapped.
 */
export const HookStatus = z
  .object({
    state: z.string().min(1),
    /** ISO time or epoch milliseconds. */
    time: z.union([z.string().min(1), z.number()]),
  })
  .passthrough();
export type HookStatus = z.infer<typeof HookStatus>;

/** The states a hook (or the agent's setup step) can report. */
export type HookState = 'working' | 'idle' | 'needs-input' | 'needs-login';

const hookStateWords: Record<string, HookState> = {
  working: 'working',
  busy: 'working',
  running: 'working',
  thinking: 'working',
  idle: 'idle',
  stop: 'idle',
  stopped: 'idle',
  done: 'idle',
  waiting: 'needs-input',
  'needs-input': 'needs-input',
  needs_input: 'needs-input',
  notification: 'needs-input',
  permission: 'needs-input',
  permissionrequest: 'needs-input',
  'needs-login': 'needs-login',
  needs_login: 'needs-login',
};

/** A hook status reduced to a state and a time, or null when the state word is unknown or the time unreadable. */
export function interpretHookStatus(status: HookStatus): { state: HookState; time: number } | null {
  const state = hookStateWords[status.state.trim().toLowerCase()];
  const time = typeof status.time === 'number' ? status.time : Date.parse(status.time);
  if (!state || !Number.isFinite(time)) return null;
  return { state, time };
}

export interface StateFacts {
  phase: AgentPhase;
  now: number;
  /** When the current process started. */
  startedAt: number;
  /** Last output from the current process (startedAt when none yet). */
  lastOutputAt: number;
  /** The hook's last report, if any. Only a report made during the current session counts. */
  hook?: { state: HookState; time: number } | null;
  /** The text of the screen lines around the cursor (see AgentSession.screenTail). */
  screenTail: string;
  idleSeconds: number;
  /** Compiled `loop.needsInputPatterns`. */
  needsInput: readonly RegExp[];
  /** The last lines of the screen (not up to the cursor): where first-run and login screens are matched. */
  screenBottom?: string;
  /** Compiled `loop.setupScreenPatterns`: first-run screens a person has to answer (the prompt waits). */
  setupScreens?: readonly RegExp[];
  /** Compiled `loop.loginScreenPatterns`: the CLI asks for a login. */
  loginScreens?: readonly RegExp[];
}

/**
 * The agent's displayed state. Order of trust: the process phase (exited/restarting/stopped/starting are facts),
 * then a fresh hook report, then the screen rules for "needs input", then output timing (working vs idle).
 */
export function classifyAgent(facts: StateFacts): AgentStateName {
  if (facts.phase !== 'running' && facts.phase !== 'starting') return facts.phase;
  const hook = facts.hook && facts.hook.time >= facts.startedAt ? facts.hook.state : null;
  const screen = facts.screenBottom ?? facts.screenTail;
  const matches = (patterns: readonly RegExp[] | undefined) => (patterns ?? []).some((pattern) => pattern.test(screen));
  // Before the prompt: only what keeps it from being delivered (a login to do, a first-run screen) shows.
  if (facts.phase === 'starting') {
    if (hook === 'needs-login' || matches(facts.loginScreens)) return 'needs-login';
    return matches(facts.setupScreens) ? 'needs-input' : 'starting';
  }
  if (hook) return hook;
  if (matches(facts.loginScreens)) return 'needs-login';
  if (facts.needsInput.some((pattern) => pattern.test(facts.screenTail))) return 'needs-input';
  return facts.now - facts.lastOutputAt < facts.idleSeconds * 1000 ? 'working' : 'idle';
}

/** Compiles the config's screen rules; a bad expression is a config error naming the rule. */
export function compilePatterns(patterns: readonly string[], field = 'needsInputPatterns'): RegExp[] {
  return patterns.map((source, index) => {
    try {
      return new RegExp(source, 'i');
    } catch (error) {
      throw new UserError(
        `ralph.config.json: field loop.${field}[${index}]: invalid regular expression ${JSON.stringify(source)}: ${(error as Error).message}`,
      );
    }
  });
}
