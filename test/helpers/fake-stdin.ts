// A TTY stdin for rendering the screen without a terminal (UI tests and bench:tui's frame micro-bench).
import { EventEmitter } from 'node:events';

export class FakeStdin extends EventEmitter {
  readonly isTTY = true;
  setEncoding(): void {}
  setRawMode(): void {}
  ref(): void {}
  unref(): void {}
  resume(): void {}
  pause(): void {}
  read = (): string | null => null;
  /** Types into the app, as a terminal sends it (the screen reads 'data' in raw mode). */
  write(data: string): void {
    this.emit('data', data);
  }
}
