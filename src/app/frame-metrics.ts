// Frame timings for `npm run bench:tui`, recorded only when RALPH_TUI_METRICS names a file.
import fs from 'node:fs';

/**
 * Frame timings for `npm run bench:tui`: the time to build pane rows from the emulators, Ink's layout +
 * write, and a whole pane frame from the scheduler firing to Ink having written it (React's Profiler
 * reports nothing in the production build, so React's share is inside the whole). Off unless RALPH_TUI_METRICS names a file, where the samples are
 * written as JSON on exit.
 */
export class FrameMetrics {
  readonly samples = { rows: [] as number[], frame: [] as number[], ink: [] as number[], frames: 0 };
  private frameStart: number | null = null;

  private constructor(private readonly file: string) {}

  static fromEnv(env: NodeJS.ProcessEnv = process.env): FrameMetrics | null {
    return env.RALPH_TUI_METRICS ? new FrameMetrics(env.RALPH_TUI_METRICS) : null;
  }

  /** A pane frame started at `start` (performance.now()) and its rows took `ms` to build. */
  rows(start: number, ms: number): void {
    this.samples.rows.push(ms);
    this.samples.frames++;
    this.frameStart ??= start;
  }

  /** Ink wrote a frame: closes the pane frame in flight (rows → React → Ink → terminal). */
  ink(ms: number): void {
    this.samples.ink.push(ms);
    if (this.frameStart === null) return;
    this.samples.frame.push(performance.now() - this.frameStart);
    this.frameStart = null;
  }

  /** A pane frame painted straight onto the terminal (no Ink frame): it ends now. */
  painted(): void {
    if (this.frameStart === null) return;
    this.samples.frame.push(performance.now() - this.frameStart);
    this.frameStart = null;
  }

  save(): void {
    fs.writeFileSync(this.file, JSON.stringify(this.samples));
  }
}
