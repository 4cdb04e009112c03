// A run's id: its own module so a screen attached to the service names runs without loading the runner (execa).
/** A run id that also names its log file: the experiment, the time, this process and a counter (unique per process). */
export function newRunId(name: string, counter: number): string {
  const stamp = new Date().toISOString().replace(/[-:]/g, '').replace(/\..*$/, '').replace('T', '-');
  const safe = name.replace(/[^a-zA-Z0-9_.-]/g, '-').slice(0, 40) || 'run';
  return `${safe}-${stamp}-${process.pid}-${counter}`;
}
