import fs from 'node:fs';
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliPath, makeTempDir, repoRoot, runCli } from '../helpers/cli.js';

/**
 * A hostile agent (test/fixtures/hostile/hostile-agent.mjs) runs as W1 under the real supervisor (`up --headless`,
 * local runtime) and tries the attacks an agent with a shell has on the host side: links, FIFOs, escape
 * sequences, secrets, commands. A second agent (W2, `cat`) starts with its prompt file and transcript already
 * made links to host files. Every attempt must fail, touch nothing outside the workspace, keep the supervisor
 * responsive, and leave an event a person can see.
 */
const FAKE_KEY = 'sk-ant-api03-FAKEFAKEFAKE-0123456789abcdef';
const CANARY_TEXT = 'HOST-CANARY-CONTENT do not copy\n';
const CONTROL = /[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]/;

let root: string;
let ws: string;
let host: string;
let canaries: string[];
let before: Array<{ text: string; mtimeMs: number; atimeMs: number }>;
let atimeTracked = false;
let headless: { stdout: string; stderr: string; exitCode: number | undefined; exitedWithin: number };

/** Times first, then the text (reading it moves atime); before the run only the times are taken. */
function stateOf(file: string, read = true) {
  const stat = fs.statSync(file);
  return { text: read ? fs.readFileSync(file, 'utf8') : CANARY_TEXT, mtimeMs: stat.mtimeMs, atimeMs: stat.atimeMs };
}

/** Whether reading a file updates its atime here (relatime does when atime is older than mtime; noatime never). */
function atimeWorks(dir: string): boolean {
  const probe = path.join(dir, 'atime-probe');
  fs.writeFileSync(probe, 'x');
  const old = new Date(Date.now() - 3_600_000);
  fs.utimesSync(probe, old, new Date());
  const was = fs.statSync(probe).atimeMs;
  fs.readFileSync(probe);
  const works = fs.statSync(probe).atimeMs !== was;
  fs.rmSync(probe);
  return works;
}

beforeAll(async () => {
  root = makeTempDir('ralph-hostile-');
  ws = path.join(root, 'ws');
  host = path.join(root, 'host');
  fs.mkdirSync(host);
  canaries = [path.join(host, 'id_rsa'), path.join(host, 'bashrc')];
  atimeTracked = atimeWorks(host);
  for (const file of canaries) {
    fs.writeFileSync(file, CANARY_TEXT);
    // atime older than mtime: any read of the file moves atime (under relatime too).
    fs.utimesSync(file, new Date(Date.now() - 3_600_000), new Date(Date.now() - 60_000));
  }
  before = canaries.map((file) => stateOf(file, false));

  const shared = path.join(ws, 'orchestration', 'shared');
  fs.mkdirSync(shared, { recursive: true });
  fs.mkdirSync(path.join(ws, '.ralph', 'transcripts'), { recursive: true });
  fs.writeFileSync(path.join(shared, 'coordination.json'), '{"best_score": null}\n');
  fs.writeFileSync(path.join(ws, 'ITERATION_LOG.md'), '# Iteration log\n');
  // What an agent left behind before this supervisor started: W2's prompt and transcript are links to host files.
  fs.symlinkSync(canaries[0], path.join(shared, 'prompt_W2.txt'));
  fs.symlinkSync(canaries[1], path.join(ws, '.ralph', 'transcripts', 'W2.log'));
  fs.writeFileSync(
    path.join(ws, 'ralph.config.json'),
    JSON.stringify({
      runtime: 'local',
      passEnv: ['FAKE_API_KEY'],
      loop: { restartDelayMs: 600_000, errorBackoffMs: 600_000, readySettleMs: 200, readyTimeoutMs: 1000 },
      agents: [
        {
          id: 'W1',
          role: 'worker',
          kind: 'custom',
          command: `${process.execPath} ${path.join(repoRoot, 'test', 'fixtures', 'hostile', 'hostile-agent.mjs')}`,
          prompt: 'off',
          env: { HOST_CANARY: canaries[0] },
        },
        {
          id: 'W2',
          role: 'worker',
          kind: 'custom',
          command: 'cat',
          prompt: { file: 'orchestration/shared/prompt_W2.txt' },
        },
      ],
    }),
  );

  const child = execa(process.execPath, [cliPath, '--workspace', ws, 'up', '--headless'], {
    env: { FAKE_API_KEY: FAKE_KEY, FORCE_COLOR: '0' },
    reject: false,
  });
  let stdout = '';
  child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  // The attacks take ~8 s; W1's exit is the last step (the supervisor then reads coordination.json).
  const deadline = Date.now() + 60_000;
  while (!/W1 exited with code 0/.test(stdout) && Date.now() < deadline && child.exitCode === null)
    await new Promise((resolve) => setTimeout(resolve, 100));
  await new Promise((resolve) => setTimeout(resolve, 1000));
  const signalledAt = Date.now();
  child.kill('SIGTERM');
  const result = await child;
  headless = {
    stdout,
    stderr: String(result.stderr),
    exitCode: result.exitCode,
    exitedWithin: Date.now() - signalledAt,
  };
}, 120_000);

afterAll(() => {
  // FIFOs and links left by the agent go with the folder.
});

describe('a hostile agent in the local runtime, against the real supervisor', () => {
  it('ran every attack', () => {
    const transcript = fs.readFileSync(path.join(ws, '.ralph', 'transcripts', 'W1.log'), 'utf8');
    expect(transcript).toContain('hostile: ATTACKS DONE');
  });

  it('nothing outside the workspace was read or written: the host files keep their content, mtime and atime, and no file appeared', () => {
    const after = canaries.map((file) => stateOf(file));
    expect(after.map((state) => state.text)).toEqual(before.map((state) => state.text));
    expect(after.map((state) => state.mtimeMs)).toEqual(before.map((state) => state.mtimeMs));
    if (atimeTracked) expect(after.map((state) => state.atimeMs)).toEqual(before.map((state) => state.atimeMs));
    expect(fs.readdirSync(host).sort()).toEqual(['bashrc', 'id_rsa']);
  });

  it('the supervisor stayed responsive: SIGTERM ends it promptly and cleanly', () => {
    expect(headless.stdout).toContain('shutting down (received SIGTERM)');
    expect(headless.exitCode).toBe(0);
    expect(headless.exitedWithin).toBeLessThan(15_000);
  });

  it('no host file content, secret or escape sequence reached the headless output, the event log or a transcript', () => {
    const files = [
      path.join(ws, '.ralph', 'events.jsonl'),
      path.join(ws, '.ralph', 'transcripts', 'W1.log'),
      path.join(ws, '.ralph', 'transcripts', 'W2.log'),
    ];
    for (const file of files) expect(fs.lstatSync(file).isFile(), file).toBe(true);
    for (const [name, text] of [
      ['stdout', headless.stdout],
      ...files.map((file) => [file, fs.readFileSync(file, 'utf8')]),
    ]) {
      expect(text, name).not.toContain('HOST-CANARY');
      expect(text, name).not.toContain(FAKE_KEY);
      expect(text, name).not.toContain(FAKE_KEY.slice(9));
    }
    for (const text of [headless.stdout, fs.readFileSync(files[0], 'utf8')]) expect(text).not.toMatch(CONTROL);
    expect(fs.readFileSync(files[1], 'utf8')).toContain('printenv FAKE_API_KEY=*** end');
  });

  it("the supervisor's files are private: .ralph 0700, events and transcripts 0600", () => {
    expect(fs.statSync(path.join(ws, '.ralph')).mode & 0o777).toBe(0o700);
    for (const file of ['events.jsonl', 'transcripts/W1.log', 'transcripts/W2.log'])
      expect(fs.statSync(path.join(ws, '.ralph', file)).mode & 0o777, file).toBe(0o600);
  });

  it('each attempt left an event a person can see', () => {
    const out = headless.stdout;
    // Links replaced (events log mid-run, W2's transcript at start) and refused (STOP, W2's prompt).
    expect(out).toMatch(/events\.jsonl was a symbolic link; replaced it/);
    expect(out).toMatch(/W2 warning: .*W2\.log was a symbolic link; replaced it/);
    expect(out).toMatch(/STOP file present: unreadable: .*STOP is a symbolic link/);
    expect(out).toMatch(/W2 error: .*prompt file .*prompt_W2\.txt is a symbolic link/);
    // FIFOs refused at once (STOP, hook status, coordination.json).
    expect(out).toMatch(/STOP file present: unreadable: .*STOP is a FIFO/);
    expect(out).toMatch(/hook status ignored: .*W1\/status\.json is a FIFO/);
    expect(out).toMatch(/warning: .*coordination\.json is a FIFO/);
    // The STOP reason with escapes and the key, shown plain and redacted.
    expect(out).toMatch(/STOP file present: bye .*\*\*\*/);
  });

  it("the prompt behind the link was never pasted: W2's transcript holds none of the host file", () => {
    expect(fs.readFileSync(path.join(ws, '.ralph', 'transcripts', 'W2.log'), 'utf8')).not.toContain('CANARY');
  });

  it('no workspace command ran', () => {
    expect(fs.existsSync(path.join(ws, 'ran-baseline'))).toBe(false);
    expect(fs.existsSync(path.join(ws, 'ran-evil'))).toBe(false);
  });

  it('the CLI prints what the agent wrote without escape sequences or the key, and a FIFO in place of coordination.json is a clear error, not a hang', async () => {
    const env = { FAKE_API_KEY: FAKE_KEY };
    for (const args of [
      ['status'],
      ['status', '--json'],
      ['queue', 'list'],
      ['queue', 'list', '--json'],
      ['log', 'tail', '-n', '8'],
      ['log', 'tail', '--entries', '--json'],
    ]) {
      const result = await runCli(['--workspace', ws, ...args], { env, timeout: 20_000 });
      const label = args.join(' ');
      expect(result.exitCode, `${label}: ${result.stderr}`).not.toBe(-1);
      expect(result.stdout, label).not.toMatch(CONTROL);
      expect(result.stderr, label).not.toMatch(CONTROL);
      expect(result.stdout + result.stderr, label).not.toContain('HOST-CANARY');
      if (args[0] === 'status') expect(result.stdout + result.stderr, label).not.toContain(FAKE_KEY);
    }
    const status = await runCli(['--workspace', ws, 'status'], { env, timeout: 20_000 });
    expect(status.stderr).toMatch(/coordination\.json is a FIFO/);
    const tail = await runCli(['--workspace', ws, 'log', 'tail', '-n', '8'], { env, timeout: 20_000 });
    expect(tail.stdout).toContain('Experiment: evil | Score: 1.0000');
  });
});

describe('huge files', () => {
  it('given a 5 GB queue, when status and queue list read it under a 64 MB heap, then each stops with a clear error instead of running out of memory', async () => {
    const dir = makeTempDir();
    fs.mkdirSync(path.join(dir, 'orchestration', 'shared'), { recursive: true });
    const fd = fs.openSync(path.join(dir, 'orchestration', 'shared', 'experiment_queue.json'), 'w');
    fs.ftruncateSync(fd, 5 * 1024 ** 3);
    fs.closeSync(fd);
    for (const args of [['status'], ['queue', 'list']]) {
      const result = await runCli(['--workspace', dir, ...args], {
        env: { NODE_OPTIONS: '--max-old-space-size=64' },
        timeout: 30_000,
      });
      expect(result.stdout + result.stderr, args.join(' ')).toMatch(
        /experiment_queue\.json is 5\.0 GB, over the 64\.0 MB ralph-tui reads from such a file/,
      );
      expect(result.stderr, args.join(' ')).not.toMatch(/heap out of memory|internal error/);
    }
  });
});

describe('links at shared JSON files', () => {
  it('given the queue is a link to a host JSON file, when people or agents list or add entries, then the link is refused by name and the host file is neither read into the output nor changed', async () => {
    const dir = makeTempDir();
    const hostDir = makeTempDir();
    const hostFile = path.join(hostDir, 'settings.json');
    const hostText = `${JSON.stringify({ experiment_queue: [{ id: 'HOST', name: 'host-secret-entry', status: 'available', priority: 1 }] })}\n`;
    fs.writeFileSync(hostFile, hostText);
    fs.mkdirSync(path.join(dir, 'orchestration', 'shared'), { recursive: true });
    fs.symlinkSync(hostFile, path.join(dir, 'orchestration', 'shared', 'experiment_queue.json'));
    const list = await runCli(['--workspace', dir, 'queue', 'list']);
    const add = await runCli(['--workspace', dir, 'queue', 'add', '--name', 'x', '--family', 'f']);
    for (const result of [list, add]) {
      expect(result.exitCode).not.toBe(0);
      expect(result.stderr).toMatch(/experiment_queue\.json is a symbolic link, not a regular file/);
      expect(result.stdout + result.stderr).not.toContain('host-secret-entry');
    }
    expect(fs.readFileSync(hostFile, 'utf8')).toBe(hostText);
  });
});
