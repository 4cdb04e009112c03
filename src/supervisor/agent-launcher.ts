// Starts an agent's process: a local shell, or `docker exec` into its ensured container, with the container's warnings.
import type { ResolvedAgent } from '../config.js';
import type { WorkspacePaths } from '../../core/workspace-paths.js';
import {
  CONTAINER_CLAUDE_CONFIG_DIR,
  CONTAINER_STATUS_FILE,
  egressName,
  launchCommand,
  type AgentContainers,
} from '../../docker/index.js';
import type { SpawnSpec } from './agent-session.js';
import { EgressRefusals } from './egress-refusals.js';
import type { EventLog } from './event-log.js';
import { claudeLaunchScript, localClaudeConfigDir, runsClaudeCli } from '../claude/claude-launch.js';
import { localSpawnSpec } from './local-launch.js';

export interface LauncherOptions {
  workspace: string;
  paths: WorkspacePaths;
  /** The whole team: each container's default memory is its share of its engine's. */
  agents: ResolvedAgent[];
  events: EventLog;
  /** Something shown in the snapshot changed (a container's warnings). */
  onChange: () => void;
  /** The agent's next process continues its Claude conversation (`claude --continue`, see LiveConversations). */
  continues: (id: string) => boolean;
}

/**
 * What the Supervisor calls to start an agent's process (AgentController's `launch`) and to end it where the pty
 * cannot reach it (`beforeTerminate` in a container). Owns the connection to the containers (loaded on first use)
 * and what follows them: the egress proxies' refusals and each container's warnings for the agent's tab.
 */
export class AgentLauncher {
  private dockerAgents: AgentContainers | null = null;
  private readonly warnings = new Map<string, string[]>();
  /** Stops following each agent's egress proxy log. */
  private readonly egressFollowers = new Map<string, () => void>();
  private readonly egressRefusals = new Map<string, EgressRefusals>();
  /** Containers (id and start) already warned that their image has no holder: once per container start. */
  private readonly warnedNoHolder = new Set<string>();
  private closed = false;

  constructor(private readonly opts: LauncherOptions) {}

  /** The containers once the first Docker agent was launched (null before, and for a local-only team). */
  get containers(): AgentContainers | null {
    return this.dockerAgents;
  }

  /** The first thing the agent's container lacks (egress not filtered, proxy down), for its tab. */
  containerWarning(id: string): string | undefined {
    return this.warnings.get(id)?.[0];
  }

  /** Local: a shell in the workspace. Docker: make sure the container runs (reattaching if it exists), then `docker exec -it`. */
  async launch(agent: ResolvedAgent): Promise<SpawnSpec> {
    if (agent.runtime === 'local')
      return localSpawnSpec(
        agent,
        this.opts.workspace,
        this.opts.paths.ralphBin,
        process.env,
        this.agentScript(agent) ?? agent.command,
      );
    const containers = await this.dockerContainers();
    const state = await containers.ensure(agent);
    const events = this.opts.events;
    events.emit({ agent: agent.id, type: 'container', state: state.status, reason: state.name });
    this.warnings.set(agent.id, state.warnings ?? []);
    for (const warning of state.warnings ?? []) events.emit({ agent: agent.id, type: 'warning', reason: warning });
    this.opts.onChange();
    await this.followEgress(containers, agent);
    // A reattached container may still run the previous supervisor's agent process: one agent per container. Under
    // a live pty holder it is the same agent, attached to again; anything else left over is ended.
    const how = await containers.prepareAgentProcess(agent);
    const container = `${state.id ?? state.name}@${state.startedAt ?? ''}`;
    if (how === 'plain' && !this.warnedNoHolder.has(container)) {
      this.warnedNoHolder.add(container);
      events.emit({
        agent: agent.id,
        type: 'warning',
        reason: `image ${agent.image} has no dtach: ${agent.id} will not survive a restart of the supervisor (rebuild the image with \`ralph-tui image build\`)`,
      });
    }
    const exec = containers.execCommand(agent, launchCommand(agent, how, this.agentScript(agent, true)));
    const env: Record<string, string> = {};
    for (const [key, value] of Object.entries(process.env)) if (value !== undefined) env[key] = value;
    const spec: SpawnSpec = {
      file: exec.file,
      args: exec.args,
      cwd: this.opts.workspace,
      env: { ...env, ...exec.env },
    };
    return how === 'reattach' ? { ...spec, resumes: 'reattached' } : spec;
  }

  /**
   * Ends the agent's process in its container (a stop, a restart, a supervisor shut down in order), under a pty holder
   * or not: one engine connection per engine, reused. Only a supervisor that vanishes leaves a held agent running.
   */
  async killInContainer(agent: ResolvedAgent): Promise<void> {
    await (await this.dockerContainers()).killAgentProcess(agent);
  }

  /** Stops following the egress proxies; a launch still under way follows nothing more. */
  close(): void {
    this.closed = true;
    for (const stop of this.egressFollowers.values()) stop();
    this.egressFollowers.clear();
  }

  /** Destinations the agent's egress proxy refuses become warning events (see EgressRefusals). */
  private async followEgress(containers: AgentContainers, agent: ResolvedAgent): Promise<void> {
    // Followed anew at every start: ensure() may have replaced the proxy (an allow-list edit), ending the old log.
    this.egressFollowers.get(agent.id)?.();
    this.egressFollowers.delete(agent.id);
    if (this.closed) return;
    const events = this.opts.events;
    let refusals = this.egressRefusals.get(agent.id);
    if (!refusals) {
      refusals = new EgressRefusals(
        (reason) => events.emit({ agent: agent.id, type: 'warning', reason }),
        egressName(agent),
      );
      this.egressRefusals.set(agent.id, refusals);
    }
    const stop = await containers
      .followEgress(agent, (line) => refusals.report(line))
      .catch((error: Error) => {
        events.emit({ agent: agent.id, type: 'warning', reason: `cannot follow the egress proxy: ${error.message}` });
        return undefined;
      });
    if (stop) this.egressFollowers.set(agent.id, stop);
  }

  /**
   * The shell text that starts a Claude CLI agent (its config folder, status file, setup, then the CLI); undefined
   * for other agents. In a container both paths are the container's own (the credentials volume, the status mount),
   * the same values its spec sets; locally the agent's private folders under .ralph.
   */
  private agentScript(agent: ResolvedAgent, inContainer = false): string | undefined {
    if (!runsClaudeCli(agent)) return undefined;
    return claudeLaunchScript(agent.command, {
      configDir: inContainer ? CONTAINER_CLAUDE_CONFIG_DIR : localClaudeConfigDir(this.opts.paths.ralph, agent.id),
      statusFile: inContainer ? CONTAINER_STATUS_FILE : this.opts.paths.agentStatus(agent.id),
      onboarding: agent.claudeOnboarding === 'seed',
      configured: agent.env,
      continues: this.opts.continues(agent.id),
    });
  }

  private async dockerContainers(): Promise<AgentContainers> {
    if (!this.dockerAgents) {
      // Loaded on first use: a local-only team never needs dockerode.
      const docker = await import('../../docker/index.js');
      this.dockerAgents = new docker.AgentContainers({
        workspace: this.opts.workspace,
        ralphInstallDir: docker.ralphInstallDir(),
        agents: this.opts.agents,
      });
    }
    return this.dockerAgents;
  }
}
