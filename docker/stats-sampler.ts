// Live CPU and memory of running containers, and the OOM kills the engine reports for them.
import type Docker from 'dockerode';
import type { EngineHandle } from './engine-pool.js';
import { computeStats, type ContainerStats, type RawStats } from './stats.js';

export class StatsSampler {
  /** The last CPU reading per container id, the baseline of the next sample. */
  private readonly cpuSamples = new Map<string, NonNullable<RawStats['precpu_stats']>>();

  /**
   * CPU % and memory as `docker stats` shows them. The CPU % covers the time since this container's previous
   * sample: a one-shot reading returns at once, whereas the engine's own two readings take about a second per
   * container (measured 1.3 s), which a poll over eight agents would feel. The first sample of a container
   * takes the engine's two readings.
   */
  async sample(handle: EngineHandle, containerId: string): Promise<ContainerStats> {
    const previous = this.cpuSamples.get(containerId);
    const container = handle.docker.getContainer(containerId);
    const raw = (await container.stats(previous ? { stream: false, 'one-shot': true } : { stream: false })) as RawStats;
    // An engine that ignores one-shot fills precpu_stats itself; otherwise use our previous reading.
    if (previous && !raw.precpu_stats?.system_cpu_usage) raw.precpu_stats = previous;
    const cpu = raw.cpu_stats;
    if (cpu?.system_cpu_usage)
      this.cpuSamples.set(containerId, {
        cpu_usage: { total_usage: cpu.cpu_usage?.total_usage },
        system_cpu_usage: cpu.system_cpu_usage,
      });
    return computeStats(raw);
  }
}

/**
 * The agent runs through `docker exec`, so when the kernel kills it for memory the container keeps
 * running and State.OOMKilled stays false; the engine still emits an "oom" event for the container.
 */
export async function oomEventsSinceStart(handle: EngineHandle, info: Docker.ContainerInspectInfo): Promise<number> {
  const started = Date.parse(info.State.StartedAt);
  if (!Number.isFinite(started) || started <= 0) return 0;
  const stream = await handle.docker.getEvents({
    since: Math.floor(started / 1000),
    // Fractional seconds, so an event in the current second counts and the stream ends now.
    until: Math.round(Date.now()) / 1000,
    filters: { container: [info.Id], event: ['oom'] },
  });
  let text = '';
  for await (const chunk of stream as AsyncIterable<Buffer | string>) text += chunk.toString();
  return text.split('\n').filter((line) => line.includes('"oom"')).length;
}
