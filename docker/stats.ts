/** Live resource use of one container, computed the way `docker stats` shows it. */
export interface ContainerStats {
  cpuPercent: number;
  memoryBytes: number;
  memoryLimitBytes: number;
}

/** The parts of the Engine API's stats object we read (cgroup v1 and v2 differ in the memory keys). */
export interface RawStats {
  cpu_stats?: {
    cpu_usage?: { total_usage?: number; percpu_usage?: number[] };
    system_cpu_usage?: number;
    online_cpus?: number;
  };
  precpu_stats?: { cpu_usage?: { total_usage?: number }; system_cpu_usage?: number };
  memory_stats?: { usage?: number; limit?: number; stats?: Record<string, number | undefined> };
}

/**
 * CPU % = container CPU time delta / host CPU time delta × online CPUs × 100, so one busy core reads 100%
 * (docker CLI's calculateCPUPercentUnix). Memory excludes the page cache as the CLI does: cgroup v1's
 * total_inactive_file, v2's inactive_file.
 */
export function computeStats(raw: RawStats): ContainerStats {
  const cpu = raw.cpu_stats ?? {};
  const pre = raw.precpu_stats ?? {};
  const cpuDelta = (cpu.cpu_usage?.total_usage ?? 0) - (pre.cpu_usage?.total_usage ?? 0);
  const systemDelta = (cpu.system_cpu_usage ?? 0) - (pre.system_cpu_usage ?? 0);
  const online = cpu.online_cpus || cpu.cpu_usage?.percpu_usage?.length || 1;
  const cpuPercent = cpuDelta > 0 && systemDelta > 0 ? (cpuDelta / systemDelta) * online * 100 : 0;

  const memory = raw.memory_stats ?? {};
  const usage = memory.usage ?? 0;
  const stats = memory.stats ?? {};
  const inactive = stats.total_inactive_file ?? stats.inactive_file ?? 0;
  const memoryBytes = inactive < usage ? usage - inactive : usage;
  return { cpuPercent, memoryBytes, memoryLimitBytes: memory.limit ?? 0 };
}
