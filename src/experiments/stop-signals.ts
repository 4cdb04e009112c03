// Turns Ctrl-C, SIGTERM and SIGHUP into a clean stop of a run.
import os from 'node:os';

/**
 * Runs `work` with Ctrl-C / SIGTERM / SIGHUP turned into an abort: the work stops its threads and writes
 * what it has, then the process exits with the conventional code (130 for SIGINT, 143 for SIGTERM, 129 for
 * SIGHUP) instead of dying with half-written files. SIGHUP is what a run gets when the agent pane it runs
 * in closes: without it the run would die silently and leave its status file claiming "running".
 */
export async function withStopSignals<T>(
  work: (signal: AbortSignal) => Promise<T>,
): Promise<{ value: T; stoppedBy?: NodeJS.Signals }> {
  const controller = new AbortController();
  let stoppedBy: NodeJS.Signals | undefined;
  const onSignal = (signal: NodeJS.Signals) => {
    if (stoppedBy) return; // a second Ctrl-C while the partial result is written changes nothing
    stoppedBy = signal;
    controller.abort();
  };
  for (const signal of STOP_SIGNALS) process.on(signal, onSignal);
  try {
    const value = await work(controller.signal);
    if (stoppedBy) process.exitCode = exitCodeFor(stoppedBy);
    return { value, stoppedBy };
  } finally {
    for (const signal of STOP_SIGNALS) process.off(signal, onSignal);
  }
}

const STOP_SIGNALS: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];

/** The shell's convention: 128 + the signal's number (SIGINT 130, SIGTERM 143, SIGHUP 129, SIGKILL 137). */
export function exitCodeFor(signal: NodeJS.Signals): number {
  return 128 + (os.constants.signals[signal] ?? 15);
}
