/**
 * Runs `work` with Ctrl-C / SIGTERM turned into an abort: the work stops its threads and writes what
 * it has, then the process exits with the conventional code (130 for SIGINT, 143 for SIGTERM)
 * instead of dying with half-written files.
 */
export async function withStopSignals<T>(work: (signal: AbortSignal) => Promise<T>): Promise<{ value: T; stoppedBy?: NodeJS.Signals }> {
  const controller = new AbortController();
  let stoppedBy: NodeJS.Signals | undefined;
  const onSignal = (signal: NodeJS.Signals) => {
    if (stoppedBy) return; // a second Ctrl-C while the partial result is written changes nothing
    stoppedBy = signal;
    controller.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    const value = await work(controller.signal);
    if (stoppedBy) process.exitCode = exitCodeFor(stoppedBy);
    return { value, stoppedBy };
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

export function exitCodeFor(signal: NodeJS.Signals): number {
  return signal === 'SIGINT' ? 130 : 143;
}
