// Polls the CPU and memory of the agents' containers for the screen.
import type { AgentContainers, ContainerAgent, ContainerStats } from '../../docker/index.js';

/** Container stats, like `docker stats`: every ~2 s is fresh enough for a human and cheap for the engine. */
const STATS_MS = 2000;

export class StatsPoller {
  private readonly stats = new Map<string, ContainerStats>();
  private timer: NodeJS.Timeout | null = null;
  private polling = false;

  constructor(
    private readonly agents: readonly ContainerAgent[],
    /** The containers once the first agent's container exists (null before: nothing to poll yet). */
    private readonly containers: () => AgentContainers | null,
    private readonly changed: () => void,
  ) {}

  start(): void {
    if (this.agents.length > 0) this.timer = setInterval(() => void this.poll(), STATS_MS);
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  get(id: string): ContainerStats | undefined {
    return this.stats.get(id);
  }

  private async poll(): Promise<void> {
    // One engine stats call takes about a second (two readings): poll agents in parallel and never overlap polls.
    const containers = this.containers();
    if (!containers || this.polling) return;
    this.polling = true;
    try {
      await Promise.all(
        this.agents.map(async (agent) => {
          const stats = await containers.stats(agent).catch(() => null);
          if (stats) this.stats.set(agent.id, stats);
          else this.stats.delete(agent.id);
        }),
      );
    } finally {
      this.polling = false;
    }
    if (this.timer) this.changed();
  }
}
