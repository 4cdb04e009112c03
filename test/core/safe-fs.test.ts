import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  AppendFile,
  appendText,
  ensureDir,
  entry,
  readText,
  readTextAsync,
  registerWorkspaceRoot,
  UnsafeFileError,
  writeAtomic,
  writeAtomicSync,
} from '../../core/safe-fs.js';

let dir: string;
let ws: string;
let outside: string;
let canary: string;

function canaryState() {
  const stat = fs.statSync(canary);
  return { text: fs.readFileSync(canary, 'utf8'), mtimeMs: stat.mtimeMs, size: stat.size };
}

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'safe-fs-'));
  ws = path.join(dir, 'ws');
  outside = path.join(dir, 'host');
  fs.mkdirSync(ws);
  fs.mkdirSync(outside);
  canary = path.join(outside, 'secret.txt');
  fs.writeFileSync(canary, 'host secret\n');
  registerWorkspaceRoot(ws);
});

afterEach(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

function refusal(fn: () => unknown): UnsafeFileError {
  try {
    fn();
  } catch (error) {
    if (error instanceof UnsafeFileError) return error;
    throw error;
  }
  throw new Error('expected an UnsafeFileError');
}

describe('reading a workspace path', () => {
  it('given a regular file, when read, then its text comes back; a missing file reads as null', () => {
    fs.writeFileSync(path.join(ws, 'a.json'), '{"a":1}');
    expect(readText(path.join(ws, 'a.json'))).toBe('{"a":1}');
    expect(readText(path.join(ws, 'none.json'))).toBeNull();
  });

  it('given a symlink to a host file, when read, then it is refused by name and the host file is not read', () => {
    const link = path.join(ws, 'STOP');
    fs.symlinkSync(canary, link);
    const before = fs.statSync(canary).atimeMs;
    const error = refusal(() => readText(link));
    expect(error.reason).toBe('symlink');
    expect(error.message).toContain(link);
    expect(error.message).not.toContain('host secret');
    expect(fs.statSync(canary).atimeMs).toBe(before);
  });

  it('given a FIFO with no writer, when read (sync and async), then the call returns at once with an error naming the FIFO', async () => {
    const fifo = path.join(ws, 'coordination.json');
    execFileSync('mkfifo', [fifo]);
    const error = refusal(() => readText(fifo));
    expect(error.reason).toBe('not-regular');
    expect(error.message).toMatch(/coordination\.json is a FIFO/);
    await expect(readTextAsync(fifo)).rejects.toThrow(/is a FIFO/);
  });

  it('given a 5 GB sparse file, when read, then it is refused with its size (no allocation)', () => {
    const huge = path.join(ws, 'experiment_queue.json');
    const fd = fs.openSync(huge, 'w');
    fs.ftruncateSync(fd, 5 * 1024 ** 3);
    fs.closeSync(fd);
    const error = refusal(() => readText(huge));
    expect(error.reason).toBe('too-large');
    expect(error.message).toMatch(/5\.0 GB, over the 64\.0 MB/);
  });

  it('given a file over a small cap and truncate, when read, then the first bytes come back', () => {
    fs.writeFileSync(path.join(ws, 'STOP'), 'x'.repeat(10_000));
    expect(readText(path.join(ws, 'STOP'), { maxBytes: 100, truncate: true })).toBe('x'.repeat(100));
  });

  it('given a folder of the workspace linked to a host folder, when a file in it is read, then it is refused', () => {
    fs.symlinkSync(outside, path.join(ws, 'shared'));
    const error = refusal(() => readText(path.join(ws, 'shared', 'secret.txt')));
    expect(error.reason).toBe('outside-workspace');
  });

  it('given a folder linked to another folder inside the workspace, when read, then it is allowed', () => {
    fs.mkdirSync(path.join(ws, 'real'));
    fs.writeFileSync(path.join(ws, 'real', 'f'), 'ok');
    fs.symlinkSync(path.join(ws, 'real'), path.join(ws, 'alias'));
    expect(readText(path.join(ws, 'alias', 'f'))).toBe('ok');
  });
});

describe('a FIFO never hangs the process', () => {
  it('given a child that reads a FIFO and handles SIGTERM, when signalled, then it exits cleanly', async () => {
    const fifo = path.join(ws, 'STOP');
    execFileSync('mkfifo', [fifo]);
    // The built module (npm test builds first): a plain node child, as the supervisor runs.
    const module = path.resolve('dist/core/safe-fs.js');
    const script = `
      import { readText } from ${JSON.stringify(module)};
      process.on('SIGTERM', () => { console.log('clean exit'); process.exit(0); });
      try { readText(${JSON.stringify(fifo)}); } catch (error) { console.log('refused: ' + error.message); }
      console.log('responsive');
      setInterval(() => {}, 1000);
    `;
    const child = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (chunk) => (out += chunk));
    child.stderr.on('data', (chunk) => (out += chunk));
    await new Promise<void>((resolve) => {
      const check = setInterval(() => {
        if (out.includes('responsive') || child.exitCode !== null) {
          clearInterval(check);
          resolve();
        }
      }, 20);
    });
    child.kill('SIGTERM');
    const code = await new Promise((resolve) => child.on('exit', resolve));
    expect(out).toMatch(/refused: .*STOP is a FIFO/);
    expect(out).toContain('clean exit');
    expect(code).toBe(0);
  });
});

describe('atomic replace', () => {
  it('given a symlink at the path, when written, then the link itself is replaced and its target untouched', async () => {
    const link = path.join(ws, 'coordination.json');
    fs.symlinkSync(canary, link);
    const before = canaryState();
    await writeAtomic(link, '{"ok":true}\n');
    expect(entry(link).kind).toBe('file');
    expect(fs.readFileSync(link, 'utf8')).toBe('{"ok":true}\n');
    expect(canaryState()).toEqual(before);
    writeAtomicSync(link, 'again');
    expect(canaryState()).toEqual(before);
  });

  it('given beforeReplace throws, when written, then the file is as it was and no temp file is left', async () => {
    const file = path.join(ws, 'queue.json');
    fs.writeFileSync(file, 'old');
    await expect(
      writeAtomic(file, 'new', {
        beforeReplace: () => {
          throw new Error('lost the lock');
        },
      }),
    ).rejects.toThrow('lost the lock');
    expect(fs.readFileSync(file, 'utf8')).toBe('old');
    expect(fs.readdirSync(ws)).toEqual(['queue.json']);
  });

  it('given a private mode, when written, then the file is 0600', () => {
    const file = path.join(ws, 'containers.json');
    writeAtomicSync(file, '{}', { mode: 0o600 });
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
  });

  it('given the folder linked out of the workspace, when written, then nothing is written outside', () => {
    fs.symlinkSync(outside, path.join(ws, 'shared'));
    expect(() => writeAtomicSync(path.join(ws, 'shared', 'secret.txt'), 'pwned')).toThrow(/outside the workspace/);
    expect(fs.readFileSync(canary, 'utf8')).toBe('host secret\n');
    expect(fs.readdirSync(outside)).toEqual(['secret.txt']);
  });
});

describe('appending', () => {
  it('given a private file replaced by a symlink to a host file, when appended, then the link is replaced, the host file untouched, and the caller told', () => {
    const file = path.join(ws, 'events.jsonl');
    fs.symlinkSync(canary, file);
    const before = canaryState();
    const replaced: string[] = [];
    appendText(file, 'line\n', { private: true, onReplaced: (error) => replaced.push(error.reason) });
    expect(canaryState()).toEqual(before);
    expect(replaced).toEqual(['symlink']);
    expect(entry(file).kind).toBe('file');
    expect(fs.readFileSync(file, 'utf8')).toBe('line\n');
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
  });

  it('given a FIFO at a shared path, when appended, then it is refused at once', () => {
    const fifo = path.join(ws, 'ITERATION_LOG.md');
    execFileSync('mkfifo', [fifo]);
    expect(refusal(() => appendText(fifo, 'x')).reason).toBe('not-regular');
  });

  it('given a private file hard-linked to another file, when appended, then the other file is untouched', () => {
    const other = path.join(ws, 'other');
    fs.writeFileSync(other, 'keep');
    const file = path.join(ws, 'crash.log');
    fs.linkSync(other, file);
    appendText(file, 'crash\n', { private: true });
    expect(fs.readFileSync(other, 'utf8')).toBe('keep');
    expect(fs.readFileSync(file, 'utf8')).toBe('crash\n');
  });

  it('given a cap, when more is written, then the file rotates to .1 and disk use stays under about twice the cap', () => {
    const file = path.join(ws, 'W1.log');
    const log = new AppendFile(file, { private: true, maxBytes: 1000 });
    for (let i = 0; i < 50; i++) log.write('y'.repeat(100));
    log.close();
    expect(fs.statSync(file).size).toBeLessThanOrEqual(1000);
    expect(fs.statSync(`${file}.1`).size).toBeLessThanOrEqual(1000);
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
  });

  it('given a symlink planted at the rotation target, when the file rotates, then the link is replaced, not followed', () => {
    const file = path.join(ws, 'W2.log');
    fs.symlinkSync(canary, `${file}.1`);
    const before = canaryState();
    const log = new AppendFile(file, { private: true, maxBytes: 10 });
    log.write('0123456789');
    log.write('abc');
    log.close();
    expect(canaryState()).toEqual(before);
    expect(fs.readFileSync(`${file}.1`, 'utf8')).toBe('0123456789');
  });
});

describe('folders', () => {
  it('given a private folder, when ensured, then it is 0700 (an existing 0755 one is tightened)', () => {
    const ralph = path.join(ws, '.ralph');
    fs.mkdirSync(ralph, { mode: 0o755 });
    ensureDir(path.join(ralph, 'transcripts'), { private: true });
    ensureDir(ralph, { private: true });
    expect(fs.statSync(ralph).mode & 0o777).toBe(0o700);
    expect(fs.statSync(path.join(ralph, 'transcripts')).mode & 0o777).toBe(0o700);
  });

  it('given a link where a private folder should be, when ensured private, then the link is replaced by a 0700 folder and nothing is created outside', () => {
    fs.mkdirSync(path.join(ws, '.ralph'));
    fs.symlinkSync(outside, path.join(ws, '.ralph', 'status'));
    ensureDir(path.join(ws, '.ralph', 'status'), { private: true });
    expect(entry(path.join(ws, '.ralph', 'status')).kind).toBe('directory');
    expect(fs.statSync(path.join(ws, '.ralph', 'status')).mode & 0o777).toBe(0o700);
    expect(fs.readdirSync(outside)).toEqual(['secret.txt']);
  });

  it('given a link where a workspace folder should be, when ensured, then it is refused and nothing is created outside', () => {
    fs.symlinkSync(outside, path.join(ws, '.ralph'));
    expect(() => ensureDir(path.join(ws, '.ralph', 'transcripts'))).toThrow(/symbolic link, not a folder/);
    expect(fs.readdirSync(outside)).toEqual(['secret.txt']);
  });
});
