import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { launchCommand, prepareScript } from '../../docker/agent-holder.js';
import { killScript } from '../../docker/agent-process.js';
import { agentUser, giveToAgent, HeadlessRun } from '../helpers/claude-agent.js';
import { cliPath } from '../helpers/cli.js';
import { Supervisor } from '../../src/supervisor/index.js';
import { dockerAgentWorkspace, EventRecorder } from '../supervisor/workspace.js';
import { ensureClaudeTestImage } from './claude-image.js';
import { dockerTestsEnabled } from './test-image.js';
import { isAlive } from '../helpers/processes.js';

// The pty holder: an agent in a container runs under Debian's dtach, so a supervisor that dies (kill -9) or quits
// leaves it running, and the next supervisor re-attaches to the same process instead of starting a fresh one.

const agent = { id: `H${process.pid}`, command: 'my-agent --flag' };

describe('the holder command lines', () => {
  it('starts the agent under dtach with the socket in the container /tmp, records it and passes its exit code on', () => {
    const text = launchCommand(agent, 'hold', 'exec claude');
    expect(text).toContain(`dtach -A /tmp/ralph-agent-${agent.id}.dtach -E -z -r winch sh -c '`);
    expect(text).toContain(
      `> /tmp/ralph-agent-${agent.id}.pid; (\nexec claude\n); echo $? > /tmp/ralph-agent-${agent.id}.exit`,
    );
    expect(text).toContain(`> /tmp/ralph-agent-${agent.id}.client`);
    expect(text).toMatch(
      /code=\$\?; if \[ ! -S \S+\.dtach \]; then printf '\\033\[1A\\033\[2K\\r'; \[ -f \S+\.exit \] && code=\$\(cat \S+\.exit\); fi; exit \$code$/,
    );
  });

  it('re-attaches without a command, and an image without dtach keeps the plain recorded exec', () => {
    const text = launchCommand(agent, 'reattach');
    expect(text).toContain(`dtach -a /tmp/ralph-agent-${agent.id}.dtach -E -z -r winch\n`);
    expect(text).not.toContain('my-agent');
    expect(launchCommand(agent, 'plain')).toBe(
      `echo "$$ $(cut -d' ' -f22 /proc/$$/stat)" > /tmp/ralph-agent-${agent.id}.pid; exec my-agent --flag`,
    );
  });
});

describe('the holder scripts on real processes (host sh)', () => {
  const socket = `/tmp/ralph-agent-${agent.id}.dtach`;
  const pids = `/tmp/ralph-agent-${agent.id}.pid`;
  let server: net.Server | null = null;
  let holder: ReturnType<typeof execa> | null = null;

  /** A stand-in agent: a session leader (like the shell inside dtach) that records "pid starttime" as the real one does. */
  async function startAgent(): Promise<number> {
    holder = execa('setsid', ['sh', '-c', `echo "$$ $(cut -d' ' -f22 /proc/$$/stat)" > ${pids}; exec sleep 60`], {
      reject: false,
    });
    for (let i = 0; i < 100 && !fs.existsSync(pids); i += 1) await new Promise((resolve) => setTimeout(resolve, 20));
    return Number(fs.readFileSync(pids, 'utf8').split(' ')[0]);
  }

  afterEach(async () => {
    server?.close();
    server = null;
    holder?.kill('SIGKILL');
    await holder;
    holder = null;
    for (const file of [socket, pids]) fs.rmSync(file, { force: true });
  });

  it('a live holder (socket and the recorded pid with its start time) is left alone: exit 0', async () => {
    const pid = await startAgent();
    server = net.createServer().listen(socket);
    await new Promise((resolve) => server!.once('listening', resolve));
    const result = await execa('sh', ['-c', prepareScript(agent, 1)], { reject: false });
    expect(result.exitCode).toBe(0);
    expect(isAlive(pid)).toBe(true);
  });

  it('without the socket the leftover agent is killed and the answer says whether dtach exists (4) or not (3)', async () => {
    const pid = await startAgent();
    const hasDtach = (await execa('sh', ['-c', 'command -v dtach'], { reject: false })).exitCode === 0;
    const result = await execa('sh', ['-c', prepareScript(agent, 1)], { reject: false });
    expect(result.exitCode).toBe(hasDtach ? 4 : 3);
    await holder;
    expect(isAlive(pid)).toBe(false);
    expect(fs.existsSync(pids)).toBe(false);
  });

  it('the kill script ends a held agent and removes its socket', async () => {
    const pid = await startAgent();
    server = net.createServer().listen(socket);
    await new Promise((resolve) => server!.once('listening', resolve));
    expect((await execa('sh', ['-c', killScript(agent, 1)], { reject: false })).exitCode).toBe(0);
    await holder;
    expect(isAlive(pid)).toBe(false);
    expect(fs.existsSync(socket)).toBe(false);
  });
});

const enabled = (await dockerTestsEnabled('the pty holder in a container')) && process.getuid?.() === 0;
if (!enabled && process.getuid?.() !== 0)
  console.warn(
    'SKIPPED the pty holder in a container: building the Debian test image needs root (debootstrap, chroot)',
  );

describe.runIf(enabled)(
  'an agent under the pty holder outlives its supervisor (real engine, Debian image with dtach)',
  () => {
    let image = '';
    let root = '';
    const runs: HeadlessRun[] = [];
    const name = `holder${process.pid}`;
    const container = `ralph-${name}-W1`;

    beforeAll(async () => {
      const user = agentUser()!;
      image = await ensureClaudeTestImage(user.uid, user.gid);
    }, 900_000);

    afterAll(async () => {
      for (const run of runs) await run.stop();
      if (root)
        await execa(process.execPath, [cliPath, 'down', '--timeout', '1', '--volumes', '--workspace', root], {
          reject: false,
        });
    });

    const inContainer = async (script: string) =>
      (await execa('docker', ['exec', container, 'sh', '-c', script], { reject: false })).stdout.trim();
    /** "pid starttime" of the agent process, as its shell recorded it, and whether that process is alive. */
    const recorded = () => inContainer('cat /tmp/ralph-agent-W1.pid');
    const aliveInContainer = async (pidAndStart: string) => {
      const [pid, start] = pidAndStart.split(' ');
      return (await inContainer(`cut -d' ' -f22 /proc/${pid}/stat 2>/dev/null`)) === start;
    };
    /** The agent's `started` events, as .ralph/events.jsonl holds them. */
    const starts = (): Array<{ reason?: string }> =>
      fs
        .readFileSync(path.join(root, '.ralph', 'events.jsonl'), 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((line) => JSON.parse(line))
        .filter((event) => event.type === 'started' && event.agent === 'W1');
    const transcript = () => fs.readFileSync(path.join(root, '.ralph', 'transcripts', 'W1.log'), 'utf8');
    const lastCount = () => Math.max(0, ...[...transcript().matchAll(/count (\d+)/g)].map((match) => Number(match[1])));
    async function until(check: () => boolean | Promise<boolean>, timeoutMs = 60_000): Promise<void> {
      const end = Date.now() + timeoutMs;
      while (!(await check())) {
        if (Date.now() > end) throw new Error(`not within ${timeoutMs} ms; transcript:\n${transcript().slice(-2000)}`);
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
    }
    /** `up --headless` as root (the engine's socket is root's); after a kill -9 the lock is stale only after ~15 s. */
    async function up(): Promise<HeadlessRun> {
      for (;;) {
        const run = new HeadlessRun(root, {}, [], { asRoot: true });
        runs.push(run);
        const first = await Promise.race([run.waitFor(/W1 (started|container)/, 120_000), run.exited.then(() => null)]);
        if (first !== null) return run;
        if (!run.lines.some((line) => /another ralph-tui supervisor is running/.test(line)))
          throw new Error(`up --headless exited:\n${run.lines.join('\n')}`);
        await new Promise((resolve) => setTimeout(resolve, 1000));
      }
    }

    it('kill -9 of the supervisor leaves the agent running; the next one re-attaches to the same pid without pasting the prompt; a forced stop ends it', async () => {
      ({ root } = dockerAgentWorkspace({
        name,
        image,
        command: `sh -c 'i=0; while true; do i=$((i+1)); echo "count $i"; sleep 1; done'`,
        prompt: { text: 'hello holder' },
        memory: '128m',
      }));
      giveToAgent(root);

      const first = await up();
      await first.waitFor(/W1 prompt delivered/, 120_000);
      await until(() => lastCount() >= 3);
      const pid = await recorded();
      expect(pid).toMatch(/^\d+ \d+$/);
      expect(await inContainer('ls /tmp')).toContain('ralph-agent-W1.dtach');

      // The supervisor dies without a word: its pty and `docker exec` client go, the agent keeps counting.
      process.kill(first.supervisorPid(), 'SIGKILL');
      await first.exited;
      const before = lastCount();
      await new Promise((resolve) => setTimeout(resolve, 2000));
      expect(await aliveInContainer(pid)).toBe(true);

      const second = await up();
      await second.waitFor(/W1 started/);
      expect(starts()).toHaveLength(2);
      expect(starts()[1]!.reason).toMatch(/reattached: same conversation, prompt not pasted again/);
      expect(await recorded()).toBe(pid);
      // The same process counts on: no new "count 1", and numbers past the ones printed before the kill arrive.
      await until(() => lastCount() > before + 3);
      expect(transcript().match(/count 1\r?\n/g)).toHaveLength(1);
      expect(second.matching(/W1 prompt delivered/)).toHaveLength(0);
      expect(transcript().match(/hello holder/g)).toHaveLength(1);
      // No second holder or agent: one counting shell in the container.
      expect(
        (await inContainer('ps -eo args')).split('\n').filter((line) => line.startsWith('sh -c i=0')),
      ).toHaveLength(1);

      // A forced stop ends it (the container stops with it).
      const stop = await execa(process.execPath, [cliPath, 'stop', '--force', '--workspace', root], { reject: false });
      expect(stop.exitCode).toBe(0);
      await second.waitFor(/W1 stopped/, 60_000);
      expect(await aliveInContainer(pid)).toBe(false);
      await second.stop();
    }, 600_000);

    it('in one process: a restart on request gives a fresh agent, its exit code comes through the holder, an orderly shutdown() ends it', async () => {
      const workspace = dockerAgentWorkspace({
        name: `${name}b`,
        image,
        command: `sh -c 'echo agent up; sleep 600; exit 7'`,
        prompt: 'off',
        memory: '128m',
      });
      giveToAgent(workspace.root);
      const target = `ralph-${name}b-W1`;
      const pidOf = async () =>
        (await execa('docker', ['exec', target, 'cat', '/tmp/ralph-agent-W1.pid'], { reject: false })).stdout.trim();
      const alive = async (pidAndStart: string) => {
        const [pid, start] = pidAndStart.split(' ');
        const stat = await execa('docker', ['exec', target, 'sh', '-c', `cut -d' ' -f22 /proc/${pid}/stat`], {
          reject: false,
        });
        return stat.exitCode === 0 && stat.stdout.trim() === start;
      };
      const first = new Supervisor({ workspace: workspace.root, config: workspace.config });
      const events = new EventRecorder(first);
      try {
        await first.start();
        await events.waitFor((event) => event.type === 'started');
        const pane = () => {
          const buffer = first.session('W1').terminal.buffer.active;
          return Array.from({ length: buffer.length }, (_, row) => buffer.getLine(row)?.translateToString(true) ?? '');
        };
        const printed = (count: number) => pane().filter((line) => line === 'agent up').length >= count;
        // The pid is recorded before the agent prints: a restart right then could end it before its first line.
        for (let i = 0; i < 100 && !printed(1); i += 1) await new Promise((resolve) => setTimeout(resolve, 100));
        expect(printed(1)).toBe(true);
        const pid = await pidOf();
        await first.restart('W1');
        await events.waitFor((event) => event.type === 'started', 2);
        // The new agent records itself once its holder started (after the exec's tty got its size).
        let restarted = '';
        for (let i = 0; i < 50 && !restarted; i += 1) {
          restarted = await pidOf();
          if (!restarted) await new Promise((resolve) => setTimeout(resolve, 100));
        }
        expect(restarted).not.toBe(pid);
        expect(await alive(pid)).toBe(false);
        expect(events.of('started')[1]!.reason ?? '').not.toMatch(/reattached/);
        // dtach clears the screen when it attaches: the first run's line was scrolled up first, not erased.
        for (let i = 0; i < 100 && !printed(2); i += 1) await new Promise((resolve) => setTimeout(resolve, 100));
        expect(pane().filter((line) => line === 'agent up')).toHaveLength(2);

        // The agent ends (its sleep killed): its exit code comes through the holder (dtach's client exits 0), and the
        // pane ends with the agent's last line, not dtach's "[EOF - dtach terminating]".
        const exits = events.of('exit').length;
        await execa('docker', ['exec', target, 'pkill', '-x', 'sleep']);
        await events.waitFor((event) => event.type === 'exit', exits + 1);
        expect(events.of('exit').at(-1)).toMatchObject({ exitCode: 7 });
        expect(first.getSnapshot().agents[0]!.problem).toMatch(/^exited \(code 7\): /);
        expect(first.getSnapshot().agents[0]!.problem).not.toMatch(/dtach/);

        // Restarted after its backoff, fresh; an orderly shutdown (Q, SIGTERM to the service) ends it, the container stays.
        await events.waitFor((event) => event.type === 'started', 3);
        let third = '';
        for (let i = 0; i < 50 && (!third || third === restarted); i += 1) {
          third = await pidOf();
          if (!third || third === restarted) await new Promise((resolve) => setTimeout(resolve, 100));
        }
        expect(await alive(third)).toBe(true);
        await first.shutdown();
        expect(await alive(third)).toBe(false);
        expect((await execa('docker', ['inspect', target], { reject: false })).exitCode).toBe(0);
      } finally {
        await first.shutdown();
        await execa(process.execPath, [cliPath, 'down', '--timeout', '1', '--volumes', '--workspace', workspace.root], {
          reject: false,
        });
      }
    }, 300_000);
  },
);
