import fs from 'node:fs';
import path from 'node:path';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import {
  HOOK_STATES,
  hookCommand,
  setupClaudeConfig,
  withOnboarding,
  withRalphHooks,
} from '../../src/claude/claude-config.js';
import { claudeLaunchScript, runsClaudeCli } from '../../src/claude/claude-launch.js';
import { readStatusFile } from '../../src/supervisor/hook-status.js';
import { makeTempDir } from '../helpers/cli.js';

const KEY = 'sk-ant-api03-test-key-abcdefghijklmnopqrstuvwxyz0123456789';

describe('seeding a Claude config folder', () => {
  it('given an empty folder and a key, when set up, then the files hold the answers a person gives on the first-run screens', () => {
    const dir = makeTempDir();
    const result = setupClaudeConfig({ configDir: dir, workspace: '/ws', onboarding: true, apiKey: KEY });
    const claudeJson = JSON.parse(fs.readFileSync(path.join(dir, '.claude.json'), 'utf8'));
    expect(claudeJson.hasCompletedOnboarding).toBe(true);
    expect(claudeJson.projects['/ws'].hasTrustDialogAccepted).toBe(true);
    expect(claudeJson.customApiKeyResponses).toEqual({ approved: [KEY.slice(-20)], rejected: [] });
    const settings = JSON.parse(fs.readFileSync(path.join(dir, 'settings.json'), 'utf8'));
    expect(settings.skipDangerousModePermissionPrompt).toBe(true);
    expect(Object.keys(settings.hooks).sort()).toEqual([...new Set(HOOK_STATES.map((hook) => hook.event))].sort());
    expect(result).toEqual({ needsLogin: false, skipped: [] });
    expect(fs.statSync(path.join(dir, '.claude.json')).mode & 0o777).toBe(0o600);
  });

  it('given a config the CLI already wrote and a user hook, when set up twice, then their keys stay and ralph-tui hooks are not doubled', () => {
    const dir = makeTempDir();
    fs.writeFileSync(
      path.join(dir, '.claude.json'),
      JSON.stringify({
        numStartups: 7,
        customApiKeyResponses: { approved: [], rejected: [KEY.slice(-20)] },
        projects: { '/ws': { allowedTools: ['Bash'] } },
      }),
    );
    fs.writeFileSync(
      path.join(dir, 'settings.json'),
      JSON.stringify({ model: 'opus', hooks: { Stop: [{ hooks: [{ type: 'command', command: 'echo mine' }] }] } }),
    );
    for (let i = 0; i < 2; i++) setupClaudeConfig({ configDir: dir, workspace: '/ws', onboarding: true, apiKey: KEY });
    const claudeJson = JSON.parse(fs.readFileSync(path.join(dir, '.claude.json'), 'utf8'));
    expect(claudeJson.numStartups).toBe(7);
    expect(claudeJson.projects['/ws']).toEqual({ allowedTools: ['Bash'], hasTrustDialogAccepted: true });
    expect(claudeJson.customApiKeyResponses).toEqual({ approved: [KEY.slice(-20)], rejected: [] });
    const settings = JSON.parse(fs.readFileSync(path.join(dir, 'settings.json'), 'utf8'));
    expect(settings.model).toBe('opus');
    expect(settings.hooks.Stop.map((group: { hooks: { command: string }[] }) => group.hooks[0]!.command)).toEqual([
      'echo mine',
      hookCommand('idle'),
    ]);
  });

  it('given onboarding turned off and no key, when set up, then only the hooks are written and a login is needed', () => {
    const dir = makeTempDir();
    const result = setupClaudeConfig({ configDir: dir, workspace: '/ws', onboarding: false });
    expect(fs.existsSync(path.join(dir, '.claude.json'))).toBe(false);
    const settings = JSON.parse(fs.readFileSync(path.join(dir, 'settings.json'), 'utf8'));
    expect(settings.skipDangerousModePermissionPrompt).toBeUndefined();
    expect(settings.hooks.Stop).toHaveLength(1);
    expect(result.needsLogin).toBe(true);
    fs.writeFileSync(path.join(dir, '.credentials.json'), '{}');
    expect(setupClaudeConfig({ configDir: dir, workspace: '/ws', onboarding: false }).needsLogin).toBe(false);
  });

  it('given a .claude.json that is not JSON, when set up, then it is left untouched and reported', () => {
    const dir = makeTempDir();
    fs.writeFileSync(path.join(dir, '.claude.json'), '{broken');
    const result = setupClaudeConfig({ configDir: dir, workspace: '/ws', onboarding: true, apiKey: KEY });
    expect(fs.readFileSync(path.join(dir, '.claude.json'), 'utf8')).toBe('{broken');
    expect(result.skipped).toEqual([path.join(dir, '.claude.json')]);
  });

  it('withOnboarding never stores more of the key than its last 20 characters', () => {
    expect(JSON.stringify(withOnboarding({}, { workspace: '/ws', apiKey: KEY }))).not.toContain(KEY.slice(0, -20));
  });

  it('withRalphHooks keeps other events of the user', () => {
    const settings = withRalphHooks({ hooks: { PreCompact: [{ hooks: [{ type: 'command', command: 'x' }] }] } });
    expect((settings.hooks as Record<string, unknown>).PreCompact).toHaveLength(1);
  });
});

describe('the hook command', () => {
  it('given RALPH_STATUS_FILE, when a hook runs in sh, then the file holds the state and a current time the supervisor reads', async () => {
    const dir = makeTempDir();
    const file = path.join(dir, 'W1.json');
    const before = Date.now();
    await execa('sh', ['-c', hookCommand('needs-input')], { env: { RALPH_STATUS_FILE: file } });
    const report = readStatusFile(file);
    expect(report?.state).toBe('needs-input');
    expect(report!.time).toBeGreaterThanOrEqual(before - 1000);
    expect(fs.existsSync(`${file}.tmp`)).toBe(false);
  });

  it('given no RALPH_STATUS_FILE, when a hook runs, then it writes nothing and succeeds', async () => {
    const dir = makeTempDir();
    const result = await execa('sh', ['-c', hookCommand('idle')], {
      cwd: dir,
      env: { RALPH_STATUS_FILE: '' },
      reject: false,
    });
    expect(result.exitCode).toBe(0);
    expect(fs.readdirSync(dir)).toEqual([]);
  });
});

describe('reading a status file (agent-written input)', () => {
  it('given a symlink, a FIFO, an oversized file or garbage, when read, then none is a report and nothing blocks', async () => {
    const dir = makeTempDir();
    const secret = path.join(dir, 'secret.json');
    fs.writeFileSync(secret, JSON.stringify({ state: 'working', time: Date.now() }));
    fs.symlinkSync(secret, path.join(dir, 'link.json'));
    await execa('mkfifo', [path.join(dir, 'fifo.json')]);
    fs.writeFileSync(
      path.join(dir, 'big.json'),
      JSON.stringify({ state: 'working', time: Date.now(), pad: 'x'.repeat(10_000) }),
    );
    fs.writeFileSync(path.join(dir, 'garbage.json'), '{"state":');
    fs.writeFileSync(path.join(dir, 'unknown.json'), JSON.stringify({ state: 'dancing', time: Date.now() }));
    for (const name of ['link.json', 'fifo.json', 'big.json', 'garbage.json', 'unknown.json', 'missing.json'])
      expect(readStatusFile(path.join(dir, name))).toBeNull();
    expect(readStatusFile(secret)?.state).toBe('working');
  });
});

describe('launching a Claude agent', () => {
  it('recognises the Claude CLI by its program, not by the agent kind alone', () => {
    expect(runsClaudeCli({ kind: 'claude', command: 'claude --dangerously-skip-permissions' })).toBe(true);
    expect(runsClaudeCli({ kind: 'claude', command: '/opt/x/node_modules/.bin/claude' })).toBe(true);
    expect(runsClaudeCli({ kind: 'claude', command: 'node test/fake-agents/fake-claude.mjs' })).toBe(false);
    expect(runsClaudeCli({ kind: 'builtin', command: 'claude' })).toBe(false);
  });

  it('given a config that sets one of the defaults itself, the launch script keeps the configured value and still ends in exec', () => {
    const script = claudeLaunchScript('claude --x', {
      configDir: '/c',
      statusFile: "/s/it's.json",
      onboarding: false,
      configured: { DISABLE_AUTOUPDATER: '0' },
    });
    expect(script).not.toContain('DISABLE_AUTOUPDATER');
    expect(script).toContain(`export RALPH_STATUS_FILE='/s/it'\\''s.json'`);
    expect(script).toContain('ralph-tui claude-setup --no-onboarding; exec claude --x');
  });

  it('given a conversation to continue, the CLI gets --continue right after its program, whatever follows it', () => {
    const launch = { configDir: '/c', statusFile: '/s.json', onboarding: true, configured: {}, continues: true };
    expect(claudeLaunchScript('/opt/bin/claude --x 2>>err.log', launch)).toMatch(
      /; exec \/opt\/bin\/claude --continue --x 2>>err\.log$/,
    );
    expect(claudeLaunchScript('claude', launch)).toMatch(/; exec claude --continue$/);
    expect(claudeLaunchScript('claude --x', { ...launch, continues: false })).toMatch(/; exec claude --x$/);
  });
});
