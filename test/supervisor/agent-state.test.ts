import { describe, expect, it } from 'vitest';
import { LoopConfig } from '../../src/config.js';
import {
  classifyAgent,
  compilePatterns,
  interpretHookStatus,
  type StateFacts,
} from '../../src/supervisor/agent-state.js';
import { UserError } from '../../core/errors.js';
import { pasteBytes, readyForPrompt } from '../../src/supervisor/prompt-delivery.js';

const rules = compilePatterns(LoopConfig.parse({}).needsInputPatterns);
const facts = (over: Partial<StateFacts>): StateFacts => ({
  phase: 'running',
  now: 100_000,
  startedAt: 0,
  lastOutputAt: 99_000,
  screenTail: '⏺ Working…',
  idleSeconds: 30,
  needsInput: rules,
  ...over,
});

describe('classifyAgent', () => {
  it('is working while output is recent and idle after idleSeconds of silence', () => {
    expect(classifyAgent(facts({}))).toBe('working');
    expect(classifyAgent(facts({ lastOutputAt: 100_000 - 30_000 }))).toBe('idle');
  });

  it("detects Claude's permission question on the screen as needs-input", () => {
    expect(classifyAgent(facts({ screenTail: '⏺ Bash(rm -rf build)\n  Do you want to proceed?' }))).toBe('needs-input');
    expect(classifyAgent(facts({ screenTail: 'Overwrite file? (y/n)' }))).toBe('needs-input');
    expect(
      classifyAgent(facts({ screenTail: ' Edit file\n Do you want to make this edit to solver.py?\n ❯ 1. Yes' })),
    ).toBe('needs-input');
  });

  it('trusts a hook report from the current session over the screen and the timing', () => {
    expect(classifyAgent(facts({ hook: { state: 'idle', time: 50_000 }, screenTail: 'Do you want to proceed?' }))).toBe(
      'idle',
    );
    expect(classifyAgent(facts({ hook: { state: 'needs-input', time: 50_000 } }))).toBe('needs-input');
  });

  it('ignores a hook report older than the current process (left over from before a restart)', () => {
    expect(classifyAgent(facts({ startedAt: 60_000, hook: { state: 'idle', time: 50_000 } }))).toBe('working');
  });

  it('reports process phases as they are', () => {
    for (const phase of ['starting', 'exited', 'restarting', 'stopped'] as const)
      expect(classifyAgent(facts({ phase }))).toBe(phase);
  });
});

describe('hook status files', () => {
  it('maps Claude Code hook words and reads ISO or epoch times', () => {
    expect(interpretHookStatus({ state: 'Stop', time: '2026-01-01T00:00:00Z' })).toEqual({
      state: 'idle',
      time: Date.parse('2026-01-01T00:00:00Z'),
    });
    expect(interpretHookStatus({ state: 'PermissionRequest', time: 5 })).toEqual({ state: 'needs-input', time: 5 });
    expect(interpretHookStatus({ state: 'busy', time: 5 })?.state).toBe('working');
  });

  it('rejects unknown words and unreadable times', () => {
    expect(interpretHookStatus({ state: 'dancing', time: 5 })).toBeNull();
    expect(interpretHookStatus({ state: 'idle', time: 'yesterday-ish' })).toBeNull();
  });
});

describe('screen rules', () => {
  it('a bad regular expression in the config is a user error naming the field', () => {
    expect(() => compilePatterns(['ok', '(unclosed'])).toThrow(UserError);
    expect(() => compilePatterns(['ok', '(unclosed'])).toThrow(/loop\.needsInputPatterns\[1\]/);
  });
});

describe('prompt delivery', () => {
  it('wraps a multi-line prompt in bracketed-paste markers with CR line ends when the program enabled the mode', () => {
    expect(pasteBytes('line 1\nline 2', true)).toBe('\x1b[200~line 1\rline 2\x1b[201~');
  });

  it('sends plain text when bracketed paste is off, and strips paste markers from the prompt itself', () => {
    expect(pasteBytes('a\r\nb', false)).toBe('a\rb');
    expect(pasteBytes('x\x1b[201~y', true)).toBe('\x1b[200~xy\x1b[201~');
  });

  const timing = { readySettleMs: 1500, readyTimeoutMs: 30_000 };

  it('is ready once the agent printed something and then went quiet for readySettleMs', () => {
    expect(readyForPrompt(2000, 0, 1000, timing)).toBe(false);
    expect(readyForPrompt(2500, 0, 1000, timing)).toBe(true);
  });

  it('does not take a slow, silent start for a settled one, but gives up waiting after readyTimeoutMs', () => {
    expect(readyForPrompt(5000, 0, 0, timing)).toBe(false);
    expect(readyForPrompt(30_000, 0, 0, timing)).toBe(true);
  });

  it('delivers to a program that never stops printing after readyTimeoutMs', () => {
    expect(readyForPrompt(29_999, 0, 29_990, timing)).toBe(false);
    expect(readyForPrompt(30_000, 0, 29_990, timing)).toBe(true);
    // A program whose input box is not up yet (Claude Code before it enables bracketed paste) waits, up to the timeout.
    expect(readyForPrompt(2500, 0, 1000, timing, false)).toBe(false);
    expect(readyForPrompt(30_000, 0, 1000, timing, false)).toBe(true);
  });
});

describe('classifyAgent before the prompt (first-run screens and logins)', () => {
  const base = {
    now: 10_000,
    startedAt: 1_000,
    lastOutputAt: 9_000,
    idleSeconds: 30,
    needsInput: [] as RegExp[],
    setupScreens: [/Yes, I trust this folder/i],
    loginScreens: [/Select login method/i],
  };
  it('given a starting agent, a first-run screen reads as needs-input, a login screen or a needs-login report as needs-login, anything else as starting', () => {
    expect(classifyAgent({ ...base, phase: 'starting', screenTail: '❯ No, exit\n  Yes, I trust this folder' })).toBe(
      'needs-input',
    );
    expect(classifyAgent({ ...base, phase: 'starting', screenTail: 'Select login method:' })).toBe('needs-login');
    expect(
      classifyAgent({ ...base, phase: 'starting', screenTail: '❯', hook: { state: 'needs-login', time: 2_000 } }),
    ).toBe('needs-login');
    expect(
      classifyAgent({ ...base, phase: 'starting', screenTail: '❯', hook: { state: 'working', time: 2_000 } }),
    ).toBe('starting');
    expect(
      classifyAgent({ ...base, phase: 'starting', screenTail: '❯', hook: { state: 'needs-login', time: 500 } }),
    ).toBe('starting');
  });
});
