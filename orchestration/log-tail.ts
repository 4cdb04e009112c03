// The last lines of a large file, read backwards so cost depends on the tail, not the file.
import type { FileHandle } from 'node:fs/promises';
import { openRead } from '../core/safe-fs.js';

const CHUNK = 64 * 1024;

/**
 * The last `n` lines of a file, read backwards from the end in 64 KiB chunks: memory and time
 * are O(tail), not O(file) (a 1 GB ITERATION_LOG.md tails in well under 50 ms; bench:protocol).
 * A missing file has no lines.
 */
export async function tailLines(file: string, n: number): Promise<string[]> {
  if (n <= 0) return [];
  const handle: FileHandle | null = await openRead(file);
  if (!handle) return [];
  try {
    const { size } = await handle.stat();
    const chunks: Buffer[] = [];
    let position = size;
    let newlines = 0;
    // A final newline ends the last line; it does not start an empty one.
    let need = n + 1;
    if (size > 0) {
      const last = Buffer.alloc(1);
      await handle.read(last, 0, 1, size - 1);
      if (last[0] === 10) need++;
    }
    while (position > 0 && newlines < need) {
      const length = Math.min(CHUNK, position);
      position -= length;
      const buffer = Buffer.alloc(length);
      await handle.read(buffer, 0, length, position);
      for (let i = 0; i < length; i++) if (buffer[i] === 10) newlines++;
      chunks.unshift(buffer);
    }
    const lines = Buffer.concat(chunks).toString('utf8').split('\n');
    if (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
    if (position > 0) lines.shift(); // the first line is cut by the chunk boundary
    return lines.slice(-n).map((line) => line.replace(/\r$/, ''));
  } finally {
    await handle.close();
  }
}

/**
 * How many lines the file has (a last line without a newline counts). O(file), unlike tailLines:
 * only `log tail --entries` needs it, to give entries their line number in the whole file.
 */
export async function countLines(file: string): Promise<number> {
  const handle: FileHandle | null = await openRead(file);
  if (!handle) return 0;
  try {
    const buffer = Buffer.alloc(CHUNK);
    let lines = 0;
    let last = 10;
    for (;;) {
      const { bytesRead } = await handle.read(buffer, 0, CHUNK, null);
      if (bytesRead === 0) break;
      for (let at = buffer.indexOf(10, 0); at !== -1 && at < bytesRead; at = buffer.indexOf(10, at + 1)) lines++;
      last = buffer[bytesRead - 1];
    }
    return last === 10 ? lines : lines + 1;
  } finally {
    await handle.close();
  }
}
