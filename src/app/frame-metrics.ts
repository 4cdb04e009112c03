import fs from 'node:fs';

/**
 * Frame timings for `npm run bench:tui`: the time to build pane rows from the emulators, React's render
 * (Profiler) and Ink's layout + write. Off unless RALPH_TUI_METRICS names a file, where the samples are
 * written as JSON on exit.
 */
export class FrameMetrics {
  readonly samples = { rows: [] as number[], react: [] as number[], ink: [] as number[], frames: 0 };

  private constructor(private readonly file: string) {}

  static fromEnv(env: NodeJS.ProcessEnv = process.env): FrameMetrics | null {
    return env.RALPH_TUI_METRICS ? new FrameMetrics(env.RALPH_TUI_METRICS) : null;
  }

  rows(ms: number): void {
    this.samples.rows.push(ms);
    this.samples.frames++;
  }

  react(ms: number): void {
    this.samples.react.push(ms);
  }

  ink(ms: number): void {
    this.samples.ink.push(ms);
  }

  save(): void {
    fs.writeFileSync(this.file, JSON.stringify(this.samples));
  }
}
