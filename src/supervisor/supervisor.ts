// Owns the team of agent controllers: starts, stops and restarts them and publishes the supervisor snapshot.
import { ensureDir, type UnsafeFileError } from '../../core/safe-fs.js';
import { configSecrets, resolveAgent, type RalphConfig, type ResolvedAgent } from '../config.js';
import { UserError } from '../../core/errors.js';
import { workspacePaths, type WorkspacePaths } from '../../core/workspace-paths.js';
import { validateCpusets, type ContainerStats } from '../../docker/index.js';
import { clearStop, createStop, FORCED_STOP_REASON, stopState } from '../../orchestration/index.js';
import { AgentController } from './agent-controller.js';
import { AgentLauncher } from './agent-launcher.js';
import { AgentSession } from './agent-session.js';
import type { AgentStateName } from './agent-state.js';
import { EventLog, type SupervisorEvent } from './event-log.js';
import { HookStatusWatcher } from './hook-status.js';
import { LiveConversations } from '../claude/live-conversations.js';
import { runsUnconfined, writeRalphShim } from './local-launch.js';
import { StatsPoller } from './stats-poller.js';
import { checkStopConditions } from './stop-conditions.js';
import { StopFileFollower } from './stop-file-follower.js';
import { takeSupervisorLock } from './supervisor-lock.js';
import { markClaimInterrupted } from '../agents/interrupted.js';

export interface AgentView {
  id: string;
  role: 'orchestrator' | 'worker';
  runtime: 'docker' | 'local';
  state: AgentStateName;
  exitCode?: number;
  restarts: number;
  /** When the agent entered its current state (epoch ms). */
  since: number;
  pid?: number;
  /** When a scheduled restart fires (epoch ms). */
  nextRestartAt?: number;
  containerName?: string;
  cpuset?: string;
  stats?: ContainerStats;
  lastEvent?: string;
  /** A local agent in bypass mode: no container, no permission prompts (marked on its tab and in the header). */
  unconfined?: boolean;
  /**
   * What a person must act on for this agent, in one sentence (see AgentController.problem), else what its
   * container's sandbox lacks (egress not filtered, egress proxy down).
   */
  problem?: string;
}

export interface SupervisorSnapshot {
  agents: AgentView[];
  /** Agents still running after a graceful stop was requested. */
  draining: string[];
  stopping: boolean;
  version: number;
}

export interface SupervisorOptions {
  workspace: string;
  config: RalphConfig;
  cols?: number;
  rows?: number;
}

/** How often timing rules (prompt when settled, idle, nudges) are checked: well under the smallest useful threshold. */
const TICK_MS = 200;

/**
 * The engine behind both the screen and `up --headless`: one AgentSession (pty + headless emulator) and one
 * AgentController (the Ralph loop) per configured agent, the hook-status watcher, the event log and the
 * container connection. Components read `getSnapshot()` (immutable, a new object per change) via `subscribe`.
 */
export class Supervisor {
  readonly paths: WorkspacePaths;
  private readonly agents: ResolvedAgent[];
  private readonly sessions = new Map<string, AgentSession>();
  private readonly controllers = new Map<string, AgentController>();
  private readonly launcher: AgentLauncher;
  private readonly listeners = new Set<() => void>();
  private readonly eventLog: EventLog;
  private readonly hooks: HookStatusWatcher;
  private readonly conversations: LiveConversations;
  private readonly stats: StatsPoller;
  private readonly stopFile: StopFileFollower;
  private tickTimer: NodeJS.Timeout | null = null;
  private releaseLock: (() => Promise<void>) | null = null;
  private stopping = false;
  private drainedReported = false;
  private snapshot: SupervisorSnapshot | null = null;
  private version = 0;
  private started = false;
  private closed = false;
  /** Stop, forced stop and resume run one after another, in the order asked: `S` then `u` never interleave. */
  private transition: Promise<void> = Promise.resolve();

  constructor(private readonly opts: SupervisorOptions) {
    this.paths = workspacePaths(opts.workspace);
    this.agents = opts.config.agents.map((agent) => resolveAgent(opts.config, agent, opts.workspace));
    const secrets = configSecrets(opts.config);
    ensureDir(this.paths.ralph, { private: true });
    this.eventLog = new EventLog(this.paths.events, secrets);
    this.conversations = new LiveConversations(this.paths.conversations, this.agents, this.eventLog);
    this.launcher = new AgentLauncher({
      workspace: opts.workspace,
      paths: this.paths,
      agents: this.agents,
      events: this.eventLog,
      onChange: () => this.changed(),
      continues: (id) => this.conversations.continues(id),
    });
    this.hooks = new HookStatusWatcher(
      this.paths.agentsDir,
      (id) => this.controllers.get(id)?.reclassify(),
      (reason) => this.eventLog.emit({ agent: '*', type: 'warning', reason }),
    );
    for (const agent of this.agents) {
      const session = new AgentSession(agent.id, this.paths.transcript(agent.id), opts.cols ?? 120, opts.rows ?? 40, {
        secrets,
        // Warnings from opening the transcript come before anyone subscribed: they are emitted on start.
        onWarning: (reason) =>
          this.started
            ? this.eventLog.emit({ agent: agent.id, type: 'warning', reason })
            : this.earlyWarnings.push({ agent: agent.id, reason }),
      });
      this.sessions.set(agent.id, session);
      this.controllers.set(
        agent.id,
        new AgentController({
          workspace: opts.workspace,
          config: opts.config,
          agent,
          session,
          events: this.eventLog,
          launch: async () => this.conversations.resumes(agent.id, await this.launcher.launch(agent)),
          stopConditions: () => checkStopConditions(opts.workspace, opts.config, this.reportUnsafe),
          hookReport: () => this.hooks.get(agent.id),
          beforeTerminate: agent.runtime === 'docker' ? () => this.launcher.killInContainer(agent) : undefined,
          onChange: () => this.changed(),
          afterExit: agent.role === 'worker' ? () => markClaimInterrupted(opts.workspace, agent.id) : undefined,
        }),
      );
    }
    this.eventLog.subscribe(() => this.changed());
    this.stats = new StatsPoller(
      this.agents.filter((agent) => agent.runtime === 'docker'),
      () => this.launcher.containers,
      () => this.changed(),
    );
    this.stopFile = new StopFileFollower(
      opts.workspace,
      this.paths.stop,
      {
        removed: () => void this.resume({ fileCleared: true }),
        appeared: (state) => {
          if (state.forced) {
            void this.stopForced();
            return;
          }
          const reason = `STOP file present${state.reason ? `: ${state.reason}` : ''}`;
          void this.serially(async () => this.drain(reason, `${reason}; waiting for agents to finish`));
        },
      },
      this.reportUnsafe,
    );
  }

  /** Takes the workspace's supervisor lock (one supervisor per workspace); start() takes it when not done yet. */
  async acquire(): Promise<void> {
    if (this.releaseLock) return;
    ensureDir(this.paths.ralph, { private: true });
    this.releaseLock = await takeSupervisorLock(this.paths.lock, this.opts.workspace, (error) =>
      this.eventLog.emit({ agent: '*', type: 'warning', reason: `supervisor lock lost: ${error.message}` }),
    );
  }

  /** Takes the workspace's supervisor lock, then starts every agent. */
  async start(): Promise<void> {
    if (this.started) return;
    // Pinned cores are what keeps experiment timings honest (shared cores inflated them by ~50%):
    // refuse overlapping or non-existent CPUs before anything starts. Agents on another engine run
    // on another host, whose CPUs are not ours to check.
    validateCpusets(this.agents.filter((agent) => agent.runtime === 'local' || !agent.engine));
    this.started = true;
    for (const { agent, reason } of this.earlyWarnings.splice(0))
      this.eventLog.emit({ agent, type: 'warning', reason });
    await this.acquire();
    try {
      if (this.agents.some((agent) => agent.runtime === 'local')) writeRalphShim(this.paths.ralphBin);
      for (const agent of this.agents) ensureDir(this.paths.agentDir(agent.id));
      await this.hooks.start();
    } catch (error) {
      await this.releaseLock?.().catch(() => undefined);
      this.releaseLock = null;
      throw error;
    }
    this.tickTimer = setInterval(() => this.tick(), TICK_MS);
    this.stats.start();
    // A stop outlives the supervisor: with STOP present (a stop before the last quit, `ralph-tui stop`), the team
    // stays stopped until it is resumed, and the header says so from the first frame.
    if (readStop(this.opts.workspace).present) {
      const reason = `STOP file present (${readStop(this.opts.workspace).reason ?? 'no reason given'})`;
      this.stopFile.wrote();
      this.stopping = true;
      this.eventLog.emit({
        agent: '*',
        type: 'stop-requested',
        reason: `${reason}: agents stay stopped until resumed (u, or \`ralph-tui resume\`)`,
      });
      await Promise.all([...this.controllers.values()].map((controller) => controller.stop(reason)));
      this.checkDrained();
      return;
    }
    const verdict = checkStopConditions(this.opts.workspace, this.opts.config, this.reportUnsafe);
    if (verdict.stop) {
      this.eventLog.emit({
        agent: '*',
        type: 'warning',
        reason: `${verdict.reason}: agents start but will not be restarted`,
      });
    }
    await Promise.all([...this.controllers.values()].map((controller) => controller.start()));
  }

  private readonly earlyWarnings: Array<{ agent: string; reason: string }> = [];

  /** A workspace file refused by the safe file layer: one warning per file and reason, not one per check. */
  private readonly unsafeReported = new Set<string>();
  private readonly reportUnsafe = (error: UnsafeFileError): void => {
    const key = `${error.file}:${error.reason}`;
    if (this.unsafeReported.has(key)) return;
    this.unsafeReported.add(key);
    this.eventLog.emit({ agent: '*', type: 'warning', reason: error.message });
  };

  agentIds(): string[] {
    return this.agents.map((agent) => agent.id);
  }

  session(id: string): AgentSession {
    const session = this.sessions.get(id);
    if (!session) throw new UserError(`no agent ${id} in ralph.config.json (agents: ${this.agentIds().join(', ')})`);
    return session;
  }

  getSnapshot = (): SupervisorSnapshot => {
    if (!this.snapshot) this.snapshot = this.buildSnapshot();
    return this.snapshot;
  };

  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  /** Every event (also appended to .ralph/events.jsonl). */
  onEvent(listener: (event: SupervisorEvent) => void): () => void {
    return this.eventLog.subscribe(listener);
  }

  /** Keystrokes from the user to an agent. */
  write(id: string, data: string): void {
    this.controller(id).write(data);
  }

  resize(id: string, cols: number, rows: number): void {
    this.session(id).resize(cols, rows);
  }

  async restart(id: string): Promise<void> {
    await this.controller(id).restart();
  }

  nudge(id: string): void {
    this.controller(id).nudge();
  }

  /**
   * Graceful stop, so no experiment is cut off half-way: create STOP so agents finish their current experiment
   * and exit, restart nobody, and list who is still running in `draining` until they are all gone.
   */
  async stopGraceful(): Promise<void> {
    await this.serially(async () => {
      if (!this.stopping) {
        await createStop(this.opts.workspace, 'graceful stop from ralph-tui');
        this.stopFile.wrote();
      }
      this.drain('graceful stop', 'STOP created; waiting for agents to finish');
    });
  }

  /** Runs stop/resume steps one at a time, in the order they were asked for. */
  private serially(step: () => Promise<void>): Promise<void> {
    const next = this.transition.then(step);
    this.transition = next.catch(() => undefined);
    return next;
  }

  /** Stop restarting anyone; running agents finish on their own (they read STOP) and are listed as draining. */
  private drain(reason: string, announcement: string): void {
    if (!this.stopping) {
      this.stopping = true;
      this.eventLog.emit({ agent: '*', type: 'stop-requested', reason: announcement });
      this.changed();
    }
    for (const controller of this.controllers.values()) controller.holdRestarts(reason);
    this.checkDrained();
  }

  /**
   * Forced stop: kill every local process group and stop every container now. STOP is written as
   * `ralph-tui stop --force` writes it, so the stop holds across a restart of the supervisor and `u` (or
   * `ralph-tui resume`) is what lifts it, whichever stop came first.
   */
  async stopForced(): Promise<void> {
    await this.serially(() => this.forceStop());
  }

  private async forceStop(): Promise<void> {
    this.stopping = true;
    this.drainedReported = false;
    this.eventLog.emit({ agent: '*', type: 'stop-requested', reason: 'forced' });
    this.changed();
    if (!readStop(this.opts.workspace).forced) {
      await createStop(this.opts.workspace, `${FORCED_STOP_REASON}: from ralph-tui`).catch((error: Error) =>
        this.eventLog.emit({ agent: '*', type: 'error', reason: error.message }),
      );
    }
    this.stopFile.wrote();
    await Promise.all(
      this.agents.map(async (agent) => {
        const controller = this.controller(agent.id);
        controller.holdRestarts('forced stop');
        const containers = this.launcher.containers;
        if (agent.runtime === 'docker' && containers) {
          await containers
            .stop(agent, 5)
            .catch((error: Error) => this.eventLog.emit({ agent: agent.id, type: 'error', reason: error.message }));
        }
        await controller.stop('forced stop', 2000);
      }),
    );
    this.checkDrained();
  }

  /**
   * Leaves: stops timers, ends every pty (containers keep running so the next start reattaches; with `down` they
   * are removed), closes transcripts and releases the lock. Safe to call twice.
   */
  async shutdown(opts: { down?: boolean } = {}): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.tickTimer) clearInterval(this.tickTimer);
    this.stats.stop();
    // Only a supervisor that held the workspace and started its agents owns the record: not one refused by the lock
    // (another one runs) or by its config (overlapping cpusets), whose agents' conversations are still to continue.
    if (this.started && this.releaseLock) this.conversations.close();
    this.launcher.close();
    await Promise.all(
      [...this.controllers.values()].map((controller) => controller.stop('supervisor shut down', 2000)),
    );
    const containers = this.launcher.containers;
    if (opts.down && containers) {
      for (const agent of this.agents.filter((item) => item.runtime === 'docker')) {
        await containers
          .remove(agent)
          .catch((error: Error) => this.eventLog.emit({ agent: agent.id, type: 'error', reason: error.message }));
      }
    }
    await this.hooks.close();
    await Promise.all([...this.sessions.values()].map((session) => session.dispose()));
    await this.releaseLock?.().catch(() => undefined);
    this.releaseLock = null;
  }

  private controller(id: string): AgentController {
    const controller = this.controllers.get(id);
    if (!controller) throw new UserError(`no agent ${id} in ralph.config.json (agents: ${this.agentIds().join(', ')})`);
    return controller;
  }

  /**
   * Clears a stop, graceful or forced: removes STOP and starts again the agents that were stopped or held. The
   * screen's `u` calls it; so does the STOP file disappearing, whoever removed it (`ralph-tui resume`).
   */
  async resume(opts: { fileCleared?: boolean } = {}): Promise<void> {
    await this.serially(async () => {
      if (!opts.fileCleared) {
        await clearStop(this.opts.workspace);
        this.stopFile.cleared();
      }
      if (!this.stopping) return;
      this.stopping = false;
      this.drainedReported = false;
      this.eventLog.emit({ agent: '*', type: 'resumed', reason: 'STOP cleared' });
      this.changed();
      // Agents that kept running through the stop are back in the loop (restarted when they exit); the rest start.
      for (const controller of this.controllers.values()) if (controller.active) controller.releaseRestarts();
      await Promise.all(
        [...this.controllers.values()]
          .filter((controller) => !controller.active)
          .map((controller) => controller.restart('STOP cleared')),
      );
    });
  }

  private tick(): void {
    const now = Date.now();
    for (const controller of this.controllers.values()) controller.tick(now);
    this.stopFile.check();
    if (this.stopping) this.checkDrained();
  }

  private checkDrained(): void {
    if (this.drainedReported || this.closed) return;
    if ([...this.controllers.values()].some((controller) => controller.active)) return;
    this.drainedReported = true;
    this.eventLog.emit({ agent: '*', type: 'drained' });
  }

  private changed(): void {
    this.version += 1;
    this.snapshot = null;
    for (const listener of this.listeners) listener();
  }

  private buildSnapshot(): SupervisorSnapshot {
    const agents = this.agents.map((agent): AgentView => {
      const controller = this.controller(agent.id);
      const session = this.sessions.get(agent.id)!;
      return {
        id: agent.id,
        role: agent.role,
        runtime: agent.runtime,
        state: controller.state,
        exitCode: controller.lastExitCode,
        restarts: controller.restarts,
        since: controller.since,
        pid: session.pid,
        nextRestartAt: controller.nextRestartAt,
        containerName: agent.runtime === 'docker' ? agent.containerName : undefined,
        unconfined: runsUnconfined(agent) || undefined,
        cpuset: agent.cpuset,
        stats: this.stats.get(agent.id),
        lastEvent: controller.lastEvent,
        problem: controller.problem ?? this.launcher.containerWarning(agent.id),
      };
    });
    const draining = this.stopping
      ? agents.filter((view) => this.controller(view.id).active).map((view) => view.id)
      : [];
    return { agents, draining, stopping: this.stopping, version: this.version };
  }
}

/** STOP as it is now; a coordination.json that cannot be read does not hide it. */
function readStop(workspace: string): { present: boolean; reason?: string; forced?: boolean } {
  try {
    return stopState(workspace);
  } catch {
    return stopState(workspace, null);
  }
}
