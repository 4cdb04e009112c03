import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { AgentSession, type SpawnSpec } from '../../src/supervisor/agent-session.js';
import { makeTempDir, repoRoot } from '../helpers/cli.js';

const fakeClaude = path.join(repoRoot, 'test', 'fake-agents', 'fake-claude.mjs');
const sessions: AgentSession[] = [];

function open(dir: string): AgentSession {
  const session = new AgentSession('W1', path.join(dir, '.ralph', 'transcripts', 'W1.log'), 80, 24);
  sessions.push(session);
  return session;
}

function spec(dir: string, file: string, args: string[]): SpawnSpec {
  return { file, args, cwd: dir, env: { PATH: process.env.PATH ?? '', RALPH_AGENT_ID: 'W1' } };
}

/** Every row of the active buffer (scrollback included) as the emulator parsed it. */
function screenRows(session: AgentSession): string[] {
  const buffer = session.terminal.buffer.active;
  return Array.from({ length: buffer.length }, (_, row) => buffer.getLine(row)?.translateToString(true) ?? '');
}

/** The rows that hold text, trimmed, top to bottom. */
function screenLines(session: AgentSession): string[] {
  return screenRows(session)
    .map((row) => row.trim())
    .filter(Boolean);
}

/** Resolves once the screen (as the emulator parsed it) contains `text`. */
function screenContains(session: AgentSession, text: string): Promise<void> {
  return new Promise((resolve) => {
    const check = () => {
      if (screenRows(session).some((row) => row.includes(text))) {
        off();
        resolve();
      }
    };
    const off = session.onOutput(check);
    check();
  });
}

function exited(session: AgentSession): Promise<{ exitCode: number }> {
  return new Promise((resolve) => {
    const off = session.onExit((exit) => {
      off();
      resolve(exit);
    });
  });
}

/** Resolves once the emulator parsed everything written so far, including a note (written after a parse of its own). */
async function parsed(session: AgentSession): Promise<void> {
  for (let pass = 0; pass < 2; pass += 1) await new Promise<void>((resolve) => session.terminal.write('', resolve));
}

/** Given a run of `script` that printed `last` and exited, the supervisor notes its restart. */
async function runThenNoteRestart(session: AgentSession, dir: string, script: string, last: string): Promise<void> {
  session.spawn(spec(dir, process.execPath, ['-e', script]));
  await Promise.all([exited(session), screenContains(session, last)]);
  session.note('restart 1 of W1');
  await parsed(session);
}

afterEach(async () => {
  await Promise.all(sessions.splice(0).map((session) => session.dispose()));
});

describe('AgentSession (a real pty feeding a headless emulator)', () => {
  it('given a program that prints binary-ish and UTF-8 output, the transcript holds every byte it wrote', async () => {
    const dir = makeTempDir();
    const session = open(dir);
    // Every byte value 1..255 except none skipped, then multi-byte UTF-8; the pty's output processing
    // (onlcr) is turned off so the bytes arrive exactly as written.
    const script = `process.stdout.write(Buffer.from([...Array(255).keys()].map((i) => i + 1))); process.stdout.write('✻ done ⏺\\n');`;
    const done = exited(session);
    session.spawn(
      spec(dir, 'sh', ['-c', `stty -opost; exec ${JSON.stringify(process.execPath)} -e ${JSON.stringify(script)}`]),
    );
    await done;
    await session.dispose();
    const transcript = fs.readFileSync(path.join(dir, '.ralph', 'transcripts', 'W1.log'));
    const expected = Buffer.concat([Buffer.from([...Array(255).keys()].map((i) => i + 1)), Buffer.from('✻ done ⏺\n')]);
    expect(transcript.includes(expected)).toBe(true);
  });

  it('tracks the bracketed-paste mode the program enabled, and the program receives keystrokes', async () => {
    const dir = makeTempDir();
    const session = open(dir);
    session.spawn(spec(dir, process.execPath, [fakeClaude]));
    await screenContains(session, '> ');
    expect(session.bracketedPaste).toBe(true);
    session.write('\x1b[200~hello\rworld\x1b[201~');
    session.write('\r');
    await screenContains(session, 'RECEIVED "hello\\rworld" (paste)');
  });

  it('answers terminal queries from the emulator (cursor position report)', async () => {
    const dir = makeTempDir();
    const session = open(dir);
    // The program asks for the cursor position (CSI 6n) and prints the reply it reads back.
    const script = `process.stdin.setRawMode(true); process.stdout.write('ab\\x1b[6n'); process.stdin.once('data', (d) => { process.stdout.write(' reply=' + JSON.stringify(d.toString())); process.exit(0); });`;
    session.spawn(spec(dir, process.execPath, ['-e', script]));
    await screenContains(session, 'reply="\\u001b[1;3R"');
  });

  it('resizing after the program exited does not throw and still resizes the emulator', async () => {
    const dir = makeTempDir();
    const session = open(dir);
    const done = exited(session);
    session.spawn(spec(dir, 'sh', ['-c', 'exit 3']));
    expect((await done).exitCode).toBe(3);
    expect(() => session.resize(100, 30)).not.toThrow();
    expect([session.terminal.cols, session.terminal.rows]).toEqual([100, 30]);
  });

  it('a restart note between two runs leaves the pane readable: every line in order, none overwritten', async () => {
    const dir = makeTempDir();
    const session = open(dir);
    // Given a first run that scrolled the 24-row pane and ended mid-line (no final newline), when the supervisor
    // notes the restart and the second run prints.
    await runThenNoteRestart(
      session,
      dir,
      "for (let i = 1; i <= 30; i++) process.stdout.write('first-' + i + (i < 30 ? '\\n' : ''))",
      'first-30',
    );
    session.spawn(spec(dir, process.execPath, ['-e', "for (let i = 1; i <= 5; i++) console.log('second-' + i)"]));
    await exited(session);
    await screenContains(session, 'second-5');
    // Then the emulator's buffer reads top to bottom as it happened.
    expect(session.terminal.buffer.active.type).toBe('normal');
    expect(screenLines(session)).toEqual([
      ...Array.from({ length: 30 }, (_, i) => `first-${i + 1}`),
      '[ralph-tui] restart 1 of W1',
      ...Array.from({ length: 5 }, (_, i) => `second-${i + 1}`),
    ]);
  });

  it('a run that died in the alternate screen is brought back to the main screen by the note, which shows below the earlier output', async () => {
    const dir = makeTempDir();
    const session = open(dir);
    await runThenNoteRestart(
      session,
      dir,
      "console.log('before'); process.stdout.write('\\x1b[?1049hfull-screen app\\n')",
      'full-screen app',
    );
    expect(session.terminal.buffer.active.type).toBe('normal');
    expect(screenLines(session)).toEqual(['before', '[ralph-tui] restart 1 of W1']);
  });

  it('kill signals the whole process group, including children of the shell', async () => {
    const dir = makeTempDir();
    const session = open(dir);
    const pidFile = path.join(dir, 'child.pid');
    session.spawn(spec(dir, 'sh', ['-c', `sleep 60 & echo $! > ${pidFile}; echo started; wait`]));
    await screenContains(session, 'started');
    const child = Number(fs.readFileSync(pidFile, 'utf8'));
    await session.terminate('SIGTERM', 2000);
    expect(await goneWithin(child, 2000)).toBe(true);
  });
});

/** The process is gone or a zombie (killed, waiting for init to reap it) within `ms`. */
async function goneWithin(pid: number, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    let status = '';
    try {
      status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
    } catch {
      return true;
    }
    if (/^State:\s+Z/m.test(status)) return true;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return false;
}

describe('AgentSession re-attached to a process that outlived an earlier supervisor', () => {
  /** Every line of the emulator (scrollback and screen), trailing blanks trimmed. */
  const lines = (session: AgentSession): string[] => {
    const buffer = session.terminal.buffer.active;
    return Array.from({ length: buffer.length }, (_, row) => buffer.getLine(row)?.translateToString(true) ?? '');
  };

  it('shows the end of the transcript, from a line start, before the live output; a fresh start does not', async () => {
    const dir = makeTempDir();
    const transcript = path.join(dir, '.ralph', 'transcripts', 'W1.log');
    fs.mkdirSync(path.dirname(transcript), { recursive: true });
    // Longer than what is restored: the first restored line is a whole one, the oldest lines stay out.
    const old = Array.from({ length: 40_000 }, (_, i) => `old line ${i}`).join('\r\n') + '\r\n';
    fs.writeFileSync(transcript, `\x1b[?2004h${old}`);

    const reattached = open(dir);
    // A screen attached to the service mirrors the emulator through onWrite: it gets the restored history too.
    const mirrored: string[] = [];
    reattached.onWrite((data) => mirrored.push(typeof data === 'string' ? data : Buffer.from(data).toString()));
    reattached.spawn({ ...spec(dir, 'sh', ['-c', 'echo live output; sleep 0.2']), resumes: 'reattached' });
    await screenContains(reattached, 'live output');
    await exited(reattached);
    const text = lines(reattached);
    expect(text).toContain('old line 39999');
    expect(text.find((line) => line.startsWith('old line'))).toMatch(/^old line \d+$/);
    expect(text).not.toContain('old line 0');
    expect(text.findIndex((line) => line.includes('live output'))).toBeGreaterThan(text.indexOf('old line 39999'));
    // Modes the old output left on are not the new program's (bracketed paste decides how prompts are pasted).
    expect(reattached.bracketedPaste).toBe(false);
    expect(mirrored.join('')).toContain('old line 39999');

    const fresh = new AgentSession('W2', path.join(dir, '.ralph', 'transcripts', 'W1.log'), 80, 24);
    sessions.push(fresh);
    fresh.spawn(spec(dir, 'sh', ['-c', 'echo fresh output']));
    await screenContains(fresh, 'fresh output');
    expect(lines(fresh).some((line) => line.startsWith('old line'))).toBe(false);
  });
});
