import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { LiveConversations, type ConversationAgent } from '../../src/claude/live-conversations.js';
import type { SpawnSpec } from '../../src/supervisor/agent-session.js';
import { EventLog, type SupervisorEventType } from '../../src/supervisor/event-log.js';
import { workspacePaths } from '../../core/workspace-paths.js';
import { makeTempDir } from '../helpers/cli.js';

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

  it('given a conversation, when the team is taken down (`down`), then the next supervisor starts it fresh', () => {
    const root = makeTempDir('ralph-conv-');
    const first = supervisor(root);
    first.happen('W1', 'prompt-delivered');
    first.conversations.close({ forget: true });
    expect(supervisor(root).conversations.continues('W1')).toBe(false);
  });

  it('given a conversation, when the supervisor shuts down without `down` (a signal, a closed screen), then the exits on its way out keep it for the next one', () => {
    const root = makeTempDir('ralph-conv-');
    const first = supervisor(root);
    first.happen('W1', 'prompt-delivered');
    first.conversations.close();
    first.happen('W1', 'exit');
    expect(supervisor(root).conversations.continues('W1')).toBe(true);
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
