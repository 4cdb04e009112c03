// Runs one agent through its life: starts it, watches its state, restarts and nudges it per the Ralph loop.
import type { RalphConfig, ResolvedAgent } from '../config.js';
import type { AgentSession, ExitInfo, SpawnSpec } from './agent-session.js';
import { classifyAgent, compilePatterns, type AgentPhase, type AgentStateName } from './agent-state.js';
import { describeEvent, type EventLog, type SupervisorEvent } from './event-log.js';
import type { HookReport } from './hook-status.js';
import { outputSettled, pasteBytes, readPromptText, readyForPrompt, SUBMIT_DELAY_MS } from './prompt-delivery.js';
import { PhraseWatcher, planRestart, shouldIdleNudge } from './ralph-loop.js';
import type { StopVerdict } from './stop-conditions.js';
import { runsClaudeCli } from '../claude/claude-launch.js';

export interface ControllerDeps {
  workspace: string;
  config: RalphConfig;
  agent: ResolvedAgent;
  session: AgentSession;
  events: EventLog;
  /** How to start the agent's process: a local command, or `docker exec` into its (ensured) container. */
  launch: () => Promise<SpawnSpec>;
  /** Stop conditions from the shared files (STOP, target reached). */
  stopConditions: () => StopVerdict;
  hookReport: () => HookReport | null;
  /** Ends the agent's process where the pty cannot reach it (inside a container), before the pty is closed. */
  beforeTerminate?: () => Promise<void>;
  /** Something shown in the snapshot changed. */
  onChange: () => void;
  /** After the agent's process ended, however it ended: records that nothing runs its work any more. */
  afterExit?: () => Promise<void>;
}

/**
 * Runs one agent through the Ralph loop: start → (output settles) → prompt → work; nudge when idle or wrapping up;
 * on exit restart with backoff unless a stop condition holds. Timing decisions come from the pure functions in
 * ralph-loop.ts; this class only applies them to one session.
 */
export class AgentController {
  private phase: AgentPhase = 'starting';
  private stateName: AgentStateName = 'starting';
  private stateSince = Date.now();
  private startedAt = 0;
  private promptPending = false;
  /**
   * This process continues the agent's conversation (`claude --continue`): once it is ready it gets the nudge text
   * instead of the prompt, since the CLI comes back waiting for input, not resuming the turn it was killed in.
   */
  private continuing = false;
  private lastInputAt = 0;
  private wrapUp: string | null = null;
  private failures = 0;
  private restartCount = 0;
  private restartTimer: NodeJS.Timeout | null = null;
  private restartAt: number | undefined;
  private exitCode: number | undefined;
  private noMoreRestarts = false;
  private launching = false;
  /** start() was called at least once: an agent never started has nothing to report when stopped. */
  private launched = false;
  private manualRestart = false;
  private stopReason = 'forced stop';
  private lastEventText: string | undefined;
  /** What a person must act on, in one sentence: why the agent cannot start, why it keeps exiting, what it waits for. */
  private problemText: { text: string; from: 'launch' | 'exit' | 'waiting' } | undefined;
  /** Wrap-up phrases on the screen when the agent last got input, and the output time last checked against it. */
  private screenPhrases = 0;
  private screenCheckedAt = 0;
  /**
   * What output within the settle time of the last input may be the echo of: the text pasted (null: a person's
   * keystrokes or a fresh start, anything) and, once submitted, how many of its phrases the screen did not show yet.
   * Only phrases the input held are its echo: a turn that ends at once (a tool that fails) still wraps up.
   */
  private inputText: string | null = null;
  private echoPhrases = Number.POSITIVE_INFINITY;
  /** Last time a login or a first-run screen held the prompt back: readiness counts from here. */
  private heldAt = 0;
  private readonly phrases: PhraseWatcher;
  private readonly needsInput: RegExp[];
  private readonly setupScreens: RegExp[];
  private readonly loginScreens: RegExp[];
  /** Claude Code enables bracketed paste when its input box is up: its prompt waits for that. */
  private readonly claudeCli: boolean;

  constructor(private readonly deps: ControllerDeps) {
    this.phrases = new PhraseWatcher(deps.config.loop.wrapUpPhrases);
    this.needsInput = compilePatterns(deps.config.loop.needsInputPatterns);
    this.setupScreens = compilePatterns(deps.config.loop.setupScreenPatterns, 'setupScreenPatterns');
    this.loginScreens = compilePatterns(deps.config.loop.loginScreenPatterns, 'loginScreenPatterns');
    this.claudeCli = runsClaudeCli(deps.agent);
    deps.session.onOutput((chunk) => this.handleOutput(chunk));
    deps.session.onExit((exit) => this.handleExit(exit));
  }

  get id(): string {
    return this.deps.agent.id;
  }

  get state(): AgentStateName {
    return this.stateName;
  }

  get since(): number {
    return this.stateSince;
  }

  get restarts(): number {
    return this.restartCount;
  }

  get lastExitCode(): number | undefined {
    return this.exitCode;
  }

  get nextRestartAt(): number | undefined {
    return this.restartAt;
  }

  get lastEvent(): string | undefined {
    return this.lastEventText;
  }

  get problem(): string | undefined {
    return this.problemText?.text;
  }

  /** The process is alive (or being started): what a graceful stop waits for. */
  get active(): boolean {
    return this.phase === 'starting' || this.phase === 'running';
  }

  /** Starts the agent's process (first start, or a restart after its backoff). */
  async start(reason?: string): Promise<void> {
    this.launched = true;
    this.clearRestartTimer();
    this.phase = 'starting';
    this.startedAt = Date.now();
    this.reclassify();
    let spec: SpawnSpec;
    this.launching = true;
    try {
      spec = await this.deps.launch();
    } catch (error) {
      this.setProblem({ text: (error as Error).message, from: 'launch' });
      this.emit({ type: 'error', reason: (error as Error).message });
      this.handleExit({ exitCode: -1 });
      return;
    } finally {
      this.launching = false;
    }
    if (this.noMoreRestarts) {
      this.setPhase('stopped');
      return;
    }
    let pid: number;
    try {
      pid = this.deps.session.spawn(spec);
    } catch (error) {
      // node-pty could not start the file (e.g. `docker` not installed): a failure like any other, with backoff.
      this.setProblem({ text: `cannot start ${spec.file}: ${(error as Error).message}`, from: 'launch' });
      this.emit({ type: 'error', reason: `cannot start ${spec.file}: ${(error as Error).message}` });
      this.handleExit({ exitCode: -1 });
      return;
    }
    this.startedAt = Date.now();
    if (this.problemText?.from === 'launch') this.setProblem(undefined);
    this.heldAt = 0;
    this.promptPending = true;
    this.wrapUp = null;
    this.inputText = null;
    this.echoPhrases = Number.POSITIVE_INFINITY;
    this.phrases.reset();
    // A restarted agent continues in the same pane: phrases of the previous session are already on it.
    this.screenPhrases = this.phrases.onScreen(this.deps.session.screenTail(SCREEN_ROWS, 'bottom')).count;
    this.emit({
      type: 'started',
      pid,
      attempt: this.restartCount || undefined,
      reason: spec.resumes
        ? [reason, `${spec.resumes}: same conversation, prompt not pasted again`].filter(Boolean).join('; ')
        : reason,
    });
    this.continuing = spec.resumes === 'continued';
    // Without a prompt, or re-attached to the process that had it, there is nothing to wait for: it runs at once.
    if (this.deps.agent.prompt === 'off' || spec.resumes === 'reattached') {
      this.promptPending = false;
      this.lastInputAt = this.startedAt;
      this.setPhase('running');
      return;
    }
    this.reclassify();
  }

  /** Periodic check: prompt delivery once output settled, nudges, and idle/working by output timing. */
  tick(now = Date.now()): void {
    const { loop } = this.deps.config;
    const session = this.deps.session;
    if (this.phase === 'starting' && this.promptPending && session.running) {
      // A login to do or a first-run screen: a person answers it; the prompt (with its Enter) would answer it wrongly.
      const held = this.currentState(now) !== 'starting';
      if (held) this.heldAt = now;
      else if (
        readyForPrompt(
          now,
          Math.max(this.startedAt, this.heldAt),
          session.lastOutputAt,
          loop,
          !this.claudeCli || session.bracketedPaste,
        )
      ) {
        this.promptPending = false;
        if (this.continuing) this.nudge('conversation continued after the supervisor restarted', now);
        else this.deliverPrompt(now);
        this.setPhase('running');
      }
    }
    if (this.phase === 'running') {
      const state = this.currentState(now);
      const needsInput = state === 'needs-input' || state === 'needs-login';
      const settled = !needsInput && outputSettled(now, this.lastInputAt, session.lastOutputAt, loop.readySettleMs);
      const phrase = settled ? (this.wrapUp ?? this.newPhraseOnScreen()) : null;
      if (phrase) {
        this.wrapUp = null;
        this.nudge(`wrap-up phrase "${phrase}"`, now);
      } else if (
        shouldIdleNudge(
          { now, lastOutputAt: this.quietSince(session), lastNudgeAt: this.lastInputAt, needsInput },
          loop,
        )
      ) {
        this.nudge(`idle for ${formatMinutes(now - Math.max(this.quietSince(session), this.lastInputAt))}`, now);
      }
    }
    if (this.phase === 'running') this.noticeProblem(now);
    this.reclassify(now);
  }

  /**
   * While the process runs: the built-in agents print `WAITING: <what and the fix>` when a file, the dataset or the
   * disk stops them (their own output format, see src/agents/waiting.ts), so that line is the problem while it is
   * the last one. A reason from earlier exits stays until the process has outlived a short session.
   */
  private noticeProblem(now: number): void {
    const waiting = /\bWAITING: (.+)$/.exec(this.deps.session.lastLine());
    if (waiting) this.setProblem({ text: waiting[1], from: 'waiting' });
    else if (this.problemText?.from === 'waiting') this.setProblem(undefined);
    else if (
      this.problemText?.from === 'exit' &&
      now - this.startedAt >= this.deps.config.loop.shortSessionSeconds * 1000
    )
      this.setProblem(undefined);
  }

  private setProblem(problem: { text: string; from: 'launch' | 'exit' | 'waiting' } | undefined): void {
    if (problem?.text === this.problemText?.text && problem?.from === this.problemText?.from) return;
    this.problemText = problem;
    this.deps.onChange();
  }

  /** Quiet since the last output, or since the start for an agent that never printed (not since 1970). */
  private quietSince(session: AgentSession): number {
    return Math.max(session.lastOutputAt, this.startedAt);
  }

  /** Types the nudge text into the agent (as a paste, then Enter). */
  nudge(reason = 'requested by user', now = Date.now()): void {
    if (!this.deps.session.running) return;
    this.paste(this.deps.config.loop.nudgeText, now);
    this.emit({ type: 'nudge', reason });
  }

  /** Keystrokes from the user: they count as activity, so an agent being talked to is not nudged. */
  write(data: string): void {
    this.lastInputAt = Date.now();
    this.screenPhrases = Number.POSITIVE_INFINITY;
    this.inputText = null;
    this.echoPhrases = Number.POSITIVE_INFINITY;
    this.deps.session.write(data);
  }

  /** Restarts now: kills a running process (no backoff, not counted as a failure) or cuts a pending backoff short. */
  async restart(reason = 'requested by user'): Promise<void> {
    // Already on its way up (a container being ensured): a second start would race it for the pty.
    if (this.launching) return;
    this.noMoreRestarts = false;
    this.clearRestartTimer();
    if (this.deps.session.running) {
      this.manualRestart = true;
      await this.terminate(3000);
    }
    // An agent that never ran (the team started under STOP) starts for the first time: not a restart.
    if (this.launched) {
      this.restartCount += 1;
      this.emit({ type: 'restart', attempt: this.restartCount, reason });
    }
    await this.start(reason);
  }

  /** No more restarts from now on; a pending one is cancelled (graceful stop lets a running agent finish). */
  holdRestarts(reason: string): void {
    this.noMoreRestarts = true;
    this.stopReason = reason;
    if (this.phase === 'restarting') {
      this.clearRestartTimer();
      this.setPhase('stopped');
      this.emit({ type: 'stopped', reason });
    }
  }

  /** Lifts holdRestarts: a stop was cleared while this agent kept running, so its next exit restarts it again. */
  releaseRestarts(): void {
    this.noMoreRestarts = false;
  }

  /** Stops the process now (SIGHUP to its group, SIGKILL after a grace period) and never restarts it. */
  async stop(reason: string, graceMs = 3000): Promise<void> {
    this.holdRestarts(reason);
    await this.terminate(graceMs);
    if (this.phase !== 'stopped') {
      this.setPhase('stopped');
      if (this.launched) this.emit({ type: 'stopped', reason });
    }
  }

  private async terminate(graceMs: number): Promise<void> {
    if (!this.deps.session.running) return;
    await this.deps.beforeTerminate?.().catch((error: Error) => this.emit({ type: 'error', reason: error.message }));
    await this.deps.session.terminate('SIGHUP', graceMs);
  }

  private deliverPrompt(now: number): void {
    const { agent, workspace } = this.deps;
    let text: string | null;
    try {
      text = readPromptText(agent.prompt, workspace, agent.id);
    } catch (error) {
      this.emit({ type: 'error', reason: (error as Error).message });
      return;
    }
    this.lastInputAt = now;
    if (text === null) return;
    this.paste(text, now);
    const how = this.deps.session.bracketedPaste ? 'bracketed paste' : 'typed';
    this.emit({ type: 'prompt-delivered', reason: `${text.length} chars, ${how}` });
  }

  private paste(text: string, now: number): void {
    const session = this.deps.session;
    const onScreen = () => this.phrases.onScreen(session.screenTail(SCREEN_ROWS, 'bottom')).count;
    const before = onScreen();
    this.lastInputAt = now;
    this.inputText = text;
    this.echoPhrases = Number.POSITIVE_INFINITY;
    session.write(pasteBytes(text.replace(/\s+$/, ''), session.bracketedPaste));
    setTimeout(() => {
      this.lastInputAt = Date.now();
      // The pasted text is echoed by now: a phrase in it is the input's, not the agent wrapping up.
      this.screenPhrases = onScreen();
      // Its phrases the screen does not show yet (a paste shown collapsed, a program that echoes only what it was
      // sent) may still appear once it is submitted.
      const held = this.phrases.onScreen(text).count;
      this.echoPhrases = Math.min(held, Math.max(0, held - (this.screenPhrases - before)));
      session.write('\r');
    }, SUBMIT_DELAY_MS).unref();
  }

  /** A wrap-up phrase that appeared on the screen since the last input (checked once per burst of output). */
  private newPhraseOnScreen(): string | null {
    const session = this.deps.session;
    if (session.lastOutputAt === this.screenCheckedAt) return null;
    this.screenCheckedAt = session.lastOutputAt;
    const seen = this.phrases.onScreen(session.screenTail(SCREEN_ROWS, 'bottom'));
    // Output within the settle time of the last input may add the input's own phrases (its echo), no more.
    const echo = session.lastOutputAt - this.lastInputAt <= this.deps.config.loop.readySettleMs ? this.echoPhrases : 0;
    if (seen.count > this.screenPhrases + echo && seen.phrase) return seen.phrase;
    // Older phrases scrolled away: count from what is left.
    this.screenPhrases = seen.count;
    return null;
  }

  /** Output within the settle time of the last input may be its echo, of a phrase that input held (or any, unknown). */
  private mayBeEcho(phrase: string): boolean {
    if (Date.now() - this.lastInputAt > this.deps.config.loop.readySettleMs) return false;
    return this.inputText === null || this.phrases.holds(this.inputText, phrase);
  }

  private handleOutput(chunk: Uint8Array): void {
    if (this.phase === 'running') {
      const phrase = this.phrases.feed(chunk);
      // The echo of what was just typed or pasted (a prompt, a nudge, the user's words) is not the agent wrapping up.
      if (phrase && !this.mayBeEcho(phrase)) this.wrapUp = phrase;
    }
    // Output only ever moves an agent to "working" (or shows a question); cheap enough per chunk when the state differs.
    if (this.stateName !== 'working') this.reclassify();
  }

  private handleExit(exit: ExitInfo): void {
    const now = Date.now();
    const sessionMs = now - this.startedAt;
    this.exitCode = exit.exitCode;
    this.promptPending = false;
    if (exit.exitCode !== -1 || this.phase !== 'starting') {
      this.emit({
        type: 'exit',
        exitCode: exit.exitCode,
        signal: exit.signal,
        reason: `after ${(sessionMs / 1000).toFixed(1)} s`,
      });
    }
    this.setPhase('exited');
    void this.deps.afterExit?.().catch((error: Error) => this.emit({ type: 'error', reason: error.message }));
    if (this.manualRestart) {
      this.manualRestart = false;
      return;
    }
    if (this.noMoreRestarts) {
      this.setPhase('stopped');
      this.emit({ type: 'stopped', reason: this.stopReason });
      return;
    }
    const verdict = this.deps.stopConditions();
    if (verdict.stop) {
      this.noMoreRestarts = true;
      this.setPhase('stopped');
      this.emit({ type: 'stopped', reason: verdict.reason });
      return;
    }
    const plan = planRestart(
      { exitCode: exit.exitCode, signal: exit.signal, sessionMs, failures: this.failures },
      this.deps.config.loop,
    );
    this.failures = plan.failures;
    if (plan.failures === 0) this.setProblem(undefined);
    else if (exit.exitCode !== -1) this.setProblem({ text: this.exitProblem(exit), from: 'exit' });
    this.restartAt = now + plan.delayMs;
    this.setPhase('restarting');
    this.emit({ type: 'restart-scheduled', delayMs: plan.delayMs, reason: plan.reason });
    this.restartTimer = setTimeout(() => this.fireRestart(), plan.delayMs);
  }

  /** Why the process ended, as the agent said it: its last line (a CLI error is one sentence), else the exit code. */
  private exitProblem(exit: ExitInfo): string {
    const last = this.deps.session.lastLine().replace(/^\d\d:\d\d:\d\d W\d+ /, '');
    const how = exit.signal ? `signal ${exit.signal}` : `code ${exit.exitCode}`;
    return last ? `exited (${how}): ${last}` : `exited with ${how} and printed nothing`;
  }

  private fireRestart(): void {
    this.restartTimer = null;
    this.restartAt = undefined;
    // The STOP file or the target may have appeared during the backoff.
    const verdict = this.deps.stopConditions();
    if (verdict.stop || this.noMoreRestarts) {
      this.noMoreRestarts = true;
      this.setPhase('stopped');
      this.emit({ type: 'stopped', reason: verdict.reason ?? this.stopReason });
      return;
    }
    this.restartCount += 1;
    this.emit({ type: 'restart', attempt: this.restartCount });
    this.deps.session.note(`restart ${this.restartCount} of ${this.id}`);
    void this.start();
  }

  private clearRestartTimer(): void {
    if (this.restartTimer) clearTimeout(this.restartTimer);
    this.restartTimer = null;
    this.restartAt = undefined;
  }

  private setPhase(phase: AgentPhase): void {
    this.phase = phase;
    this.reclassify();
  }

  private currentState(now: number): AgentStateName {
    const session = this.deps.session;
    const { loop } = this.deps.config;
    return classifyAgent({
      phase: this.phase,
      now,
      startedAt: this.startedAt,
      lastOutputAt: Math.max(session.lastOutputAt, this.startedAt),
      hook: this.deps.hookReport(),
      screenTail: this.phase === 'running' ? session.screenTail() : '',
      screenBottom: this.phase === 'running' || this.phase === 'starting' ? session.screenTail(12, 'bottom') : '',
      idleSeconds: loop.idleSeconds,
      needsInput: this.needsInput,
      setupScreens: this.setupScreens,
      loginScreens: this.loginScreens,
    });
  }

  /** Recomputes the displayed state; a change is recorded as an event while the process runs. */
  reclassify(now = Date.now()): void {
    const next = this.currentState(now);
    if (next === this.stateName) return;
    this.stateName = next;
    this.stateSince = now;
    if (next === 'working' || next === 'idle' || next === 'needs-input' || next === 'needs-login')
      this.emit({ type: 'state', state: next });
    else this.deps.onChange();
  }

  private emit(event: Omit<SupervisorEvent, 'time' | 'agent'>): void {
    const full = this.deps.events.emit({ agent: this.id, ...event });
    this.lastEventText = describeEvent(full);
    this.deps.onChange();
  }
}

/** Rows read for wrap-up phrases: the whole visible screen (screenTail stops at the top of the viewport). */
const SCREEN_ROWS = 1000;

function formatMinutes(ms: number): string {
  const minutes = ms / 60_000;
  return minutes >= 1 ? `${minutes.toFixed(1)} min` : `${(ms / 1000).toFixed(0)} s`;
}
