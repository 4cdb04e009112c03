import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { LiveConversations, type ConversationAgent } from '../../src/claude/live-conversations.js';
import type { SpawnSpec } from '../../src/supervisor/agent-session.js';
import { EventLog, type SupervisorEventType } from '../../src/supervisor/event-log.js';
import { workspacePaths } from '../../core/workspace-paths.js';
import { makeTempDir, runCli } from '../helpers/cli.js';
import { Supervisor } from '../../src/supervisor/index.js';
import { count, EventRecorder, fakeClaude, makeWorkspace, readTranscript, waitUntil } from '../supervisor/workspace.js';

// The decision behind `claude --continue` for local agents, one supervisor after another on the same workspace:
// each `supervisor()` is what a new `ralph-tui up` holds (the record file and the event log it writes).

const W1: ConversationAgent = { id: 'W1', runtime: 'local', kind: 'claude', command: 'claude --x' };
const SPEC: SpawnSpec = { file: 'sh', args: ['-c', 'claude'], cwd: '/ws', env: {} };

function supervisor(root: string, agents: ConversationAgent[] = [W1]) {
  const paths = workspacePaths(root);
  const events = new EventLog(paths.events);
  const warnings: string[] = [];
  events.subscribe((event) => event.type === 'warning' && warnings.push(event.reason ?? ''));
  const conversations = new LiveConversations(paths.conversations, agents, events);
  const happen = (agent: string, type: SupervisorEventType) => events.emit({ agent, type });
  return { conversations, happen, warnings, file: paths.conversations };
}

describe('which local Claude agents continue their conversation', () => {
  it('given a prompt delivered, when the supervisor vanishes (no exit seen, no close), then the next one continues that conversation without the prompt', () => {
    const root = makeTempDir('ralph-conv-');
    const first = supervisor(root);
    expect(first.conversations.continues('W1')).toBe(false);
    first.happen('W1', 'started');
    first.happen('W1', 'prompt-delivered');
    expect(fs.statSync(first.file).mode & 0o777).toBe(0o600);

    const next = supervisor(root);
    expect(next.conversations.continues('W1')).toBe(true);
    expect(next.conversations.resumes('W1', SPEC)).toEqual({ ...SPEC, resumes: 'continued' });
    // Started and killed again before it exited: still the same conversation to continue.
    next.happen('W1', 'started');
    expect(supervisor(root).conversations.continues('W1')).toBe(true);
  });

  it('given a prompt delivered, when the process exits while the supervisor runs (crash, restart, STOP, forced stop), then the next start is fresh, with the prompt', () => {
    const root = makeTempDir('ralph-conv-');
    const first = supervisor(root);
    first.happen('W1', 'prompt-delivered');
    first.happen('W1', 'exit');
    expect(first.conversations.continues('W1')).toBe(false);
    expect(first.conversations.resumes('W1', SPEC)).toEqual(SPEC);
    expect(supervisor(root).conversations.continues('W1')).toBe(false);
  });

  it('given a conversation, when the supervisor shuts down in order (down, Q, Ctrl-C), then the next one starts it fresh', () => {
    const root = makeTempDir('ralph-conv-');
    supervisor(root).happen('W1', 'prompt-delivered');
    // Also one that continued it: a clean stop ends the inherited conversation too.
    const second = supervisor(root);
    second.conversations.close();
    expect(second.conversations.continues('W1')).toBe(false);
    // The exits of the processes it stops on the way out come after the close.
    second.happen('W1', 'exit');
    expect(supervisor(root).conversations.continues('W1')).toBe(false);
  });

  it('given a continued start, when Claude has nothing to continue (exit 1 at once), then the restart is fresh, and so is the next supervisor: no loop', () => {
    const root = makeTempDir('ralph-conv-');
    supervisor(root).happen('W1', 'prompt-delivered');
    const second = supervisor(root);
    expect(second.conversations.continues('W1')).toBe(true);
    second.happen('W1', 'started');
    second.happen('W1', 'exit');
    expect(second.conversations.continues('W1')).toBe(false);
    expect(supervisor(root).conversations.continues('W1')).toBe(false);
    // The fresh start delivers the prompt: a conversation again.
    second.happen('W1', 'prompt-delivered');
    expect(supervisor(root).conversations.continues('W1')).toBe(true);
  });

  it('given an agent killed before its prompt was delivered, when the supervisor vanishes, then it starts fresh (Claude has no conversation yet)', () => {
    const root = makeTempDir('ralph-conv-');
    supervisor(root).happen('W1', 'started');
    expect(supervisor(root).conversations.continues('W1')).toBe(false);
  });

  it('only local Claude CLI agents are recorded: a container agent or another program starts as before', () => {
    const root = makeTempDir('ralph-conv-');
    const agents: ConversationAgent[] = [
      { id: 'W2', runtime: 'docker', kind: 'claude', command: 'claude' },
      { id: 'W3', runtime: 'local', kind: 'claude', command: 'node fake-claude.mjs' },
    ];
    const first = supervisor(root, agents);
    for (const id of ['W2', 'W3']) first.happen(id, 'prompt-delivered');
    expect(fs.existsSync(first.file)).toBe(false);
    // A record left for an agent that is now in a container is not continued either.
    fs.writeFileSync(first.file, JSON.stringify({ W2: new Date().toISOString() }));
    expect(supervisor(root, agents).conversations.continues('W2')).toBe(false);
  });

  it('given a record that cannot be read (malformed, a link), then every agent starts fresh and a warning says why', () => {
    const root = makeTempDir('ralph-conv-');
    const { file } = supervisor(root);
    fs.writeFileSync(file, '{"W1": ');
    const broken = supervisor(root);
    expect(broken.conversations.continues('W1')).toBe(false);
    expect(broken.warnings.join('\n')).toMatch(/conversations\.json not read .*starts a new conversation/);
    fs.rmSync(file);
    fs.writeFileSync(`${root}/elsewhere.json`, JSON.stringify({ W1: 'x' }));
    fs.symlinkSync(`${root}/elsewhere.json`, file);
    const linked = supervisor(root);
    expect(linked.conversations.continues('W1')).toBe(false);
    // The next write replaces the link with the supervisor's own file; the link's target is untouched.
    linked.happen('W1', 'prompt-delivered');
    expect(fs.lstatSync(file).isSymbolicLink()).toBe(false);
    expect(fs.readFileSync(`${root}/elsewhere.json`, 'utf8')).toBe(JSON.stringify({ W1: 'x' }));
  });
});

describe('the supervisor and `down` with the record (a stand-in program named claude)', () => {
  it('a recorded conversation makes the first start `claude --continue`, nudged instead of prompted; a supervisor refused by the lock leaves the record; an orderly shutdown ends it', async () => {
    const bin = makeTempDir('ralph-bin-');
    const argsFile = path.join(bin, 'args.log');
    fs.writeFileSync(
      path.join(bin, 'claude'),
      `#!/bin/sh\nprintf '%s\\n' "$*" >> '${argsFile}'\nexec '${process.execPath}' '${fakeClaude}' "$@"\n`,
      { mode: 0o755 },
    );
    const { root, config } = makeWorkspace({
      agents: [
        {
          id: 'W1',
          role: 'worker',
          kind: 'claude',
          command: `${bin}/claude --silent`,
          prompt: { text: 'THE PROMPT' },
          env: { ANTHROPIC_API_KEY: 'sk-ant-api03-stand-in-key-0123456789abcdefghij' },
        },
      ],
    });
    const file = workspacePaths(root).conversations;

    // The first supervisor records the conversation once the prompt is delivered; its orderly shutdown ends it.
    const first = new Supervisor({ workspace: root, config });
    const firstEvents = new EventRecorder(first);
    await first.start();
    await firstEvents.waitFor((event) => event.type === 'prompt-delivered');
    // The paste's Enter follows 150 ms after the event: the conversation exists once the program received it.
    await waitUntil(() => first.session('W1').screenTail(20, 'bottom').includes('RECEIVED'));
    const recorded = fs.readFileSync(file, 'utf8');
    expect(Object.keys(JSON.parse(recorded))).toEqual(['W1']);
    await first.shutdown();
    expect(fs.existsSync(file)).toBe(false);

    // Had it vanished instead, its record would be there: the next supervisor continues.
    fs.writeFileSync(file, recorded);
    const second = new Supervisor({ workspace: root, config });
    const secondEvents = new EventRecorder(second);
    await second.start();
    await secondEvents.waitFor((event) => event.type === 'started');
    expect(secondEvents.of('started')[0]!.reason).toBe('continued: same conversation, prompt not pasted again');
    await waitUntil(() => fs.readFileSync(argsFile, 'utf8').trim().split('\n').length === 2);
    expect(fs.readFileSync(argsFile, 'utf8').trim().split('\n')).toEqual(['--silent', '--continue --silent']);
    // Once ready it is nudged (the CLI comes back waiting for input), never prompted.
    await secondEvents.waitFor((event) => event.type === 'nudge');
    expect(secondEvents.of('nudge')[0]!.reason).toBe('conversation continued after the supervisor restarted');
    expect(secondEvents.of('prompt-delivered')).toEqual([]);

    // A second supervisor refused by the lock does not touch the record of the one that runs.
    const refused = new Supervisor({ workspace: root, config });
    await expect(refused.start()).rejects.toThrow(/another ralph-tui supervisor is running/);
    await refused.shutdown();
    expect(fs.existsSync(file)).toBe(true);

    await second.shutdown();
    expect(fs.existsSync(file)).toBe(false);
    // The continued process never got the prompt: it was received once, by the first.
    expect(count(readTranscript(root, 'W1'), 'RECEIVED "THE PROMPT"')).toBe(1);
  }, 60_000);

  it('a supervisor whose config is refused after it took the workspace (overlapping cpusets) leaves the record', async () => {
    const agent = { role: 'worker', kind: 'claude', command: 'claude', cpuset: '0' };
    const { root, config } = makeWorkspace({
      agents: [
        { id: 'W1', ...agent },
        { id: 'W2', ...agent },
      ],
    });
    const file = workspacePaths(root).conversations;
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, JSON.stringify({ W1: new Date().toISOString() }));
    const refused = new Supervisor({ workspace: root, config });
    await refused.acquire();
    await expect(refused.start()).rejects.toThrow(/cpuset/);
    await refused.shutdown();
    expect(fs.existsSync(file)).toBe(true);
  });

  it('`ralph-tui down` with no supervisor running ends the conversations the vanished one left', async () => {
    const { root } = makeWorkspace({ agents: [{ id: 'W1', role: 'worker', command: 'claude' }] });
    const file = workspacePaths(root).conversations;
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, JSON.stringify({ W1: new Date().toISOString() }));
    const result = await runCli(['down', '--workspace', root]);
    expect(result.exitCode).toBe(0);
    expect(fs.existsSync(file)).toBe(false);
  });
});
