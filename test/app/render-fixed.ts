import { EventEmitter } from 'node:events';
import { stripVTControlCharacters } from 'node:util';
import type { ReactElement } from 'react';
import { render } from 'ink';
import { FakeStdin } from '../helpers/fake-stdin.js';

/** A stdout of a fixed size (ink-testing-library's is 100 columns and has no rows). */
class FixedStdout extends EventEmitter {
  readonly frames: string[] = [];
  isTTY = false;
  constructor(
    readonly columns: number,
    readonly rows: number,
  ) {
    super();
  }
  write = (chunk: string): boolean => {
    this.frames.push(chunk);
    return true;
  };
}

/** Renders a tree into a cols×rows stdout; lastFrame() is the plain text of the latest frame. */
export function renderFixed(tree: ReactElement, size: { cols: number; rows: number }) {
  const stdout = new FixedStdout(size.cols, size.rows);
  const stdin = new FakeStdin();
  const instance = render(tree, {
    stdout: stdout as unknown as NodeJS.WriteStream,
    stdin: stdin as unknown as NodeJS.ReadStream,
    debug: true,
    patchConsole: false,
    exitOnCtrlC: false,
  });
  return {
    stdin,
    rerender: instance.rerender,
    unmount: instance.unmount,
    lastFrame(): string {
      const frame = stdout.frames.at(-1) ?? '';
      return stripVTControlCharacters(frame).replace(/\n$/, '');
    },
    lastFrameLines(): string[] {
      return this.lastFrame().split('\n');
    },
    rawLastFrame(): string {
      return stdout.frames.at(-1) ?? '';
    },
  };
}
