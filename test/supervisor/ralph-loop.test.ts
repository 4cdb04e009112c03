import { describe, expect, it } from 'vitest';
import { LoopConfig } from '../../src/config.js';
import { PhraseWatcher, planRestart, shouldIdleNudge } from '../../src/supervisor/ralph-loop.js';

const loop = LoopConfig.parse({
  restartDelayMs: 2000,
  errorBackoffMs: 10_000,
  maxBackoffMs: 60_000,
  shortSessionSeconds: 60,
  idleNudgeMinutes: 10,
});

describe('planRestart (the restart policy)', () => {
  it('restarts after the short delay when a long session exits cleanly, and forgets earlier failures', () => {
    expect(planRestart({ exitCode: 0, sessionMs: 5 * 60_000, failures: 3 }, loop)).toEqual({
      delayMs: 2000,
      failures: 0,
      reason: 'clean exit',
    });
  });

  it('backs off exponentially after error exits, capped at maxBackoffMs', () => {
    const delays: number[] = [];
    let failures = 0;
    for (let i = 0; i < 5; i += 1) {
      const plan = planRestart({ exitCode: 1, sessionMs: 10 * 60_000, failures }, loop);
      delays.push(plan.delayMs);
      failures = plan.failures;
    }
    expect(delays).toEqual([10_000, 20_000, 40_000, 60_000, 60_000]);
  });

  it('treats a clean exit after a session shorter than shortSessionSeconds as a failure', () => {
    const plan = planRestart({ exitCode: 0, sessionMs: 3_000, failures: 0 }, loop);
    expect(plan.delayMs).toBe(10_000);
    expect(plan.failures).toBe(1);
    expect(plan.reason).toContain('short session');
  });

  it('treats death by a signal as an error', () => {
    expect(planRestart({ exitCode: 0, signal: 9, sessionMs: 10 * 60_000, failures: 0 }, loop).failures).toBe(1);
  });
});

describe('shouldIdleNudge', () => {
  const base = { now: 100 * 60_000, lastOutputAt: 0, lastNudgeAt: 0, needsInput: false };

  it('nudges once the agent has been quiet for idleNudgeMinutes', () => {
    expect(shouldIdleNudge({ ...base, lastOutputAt: base.now - 10 * 60_000 }, loop)).toBe(true);
    expect(shouldIdleNudge({ ...base, lastOutputAt: base.now - 9 * 60_000 }, loop)).toBe(false);
  });

  it('waits another full period after a nudge before nudging again', () => {
    expect(shouldIdleNudge({ ...base, lastOutputAt: 0, lastNudgeAt: base.now - 60_000 }, loop)).toBe(false);
  });

  it('never nudges an agent that waits for a person (the nudge would answer its question)', () => {
    expect(shouldIdleNudge({ ...base, needsInput: true }, loop)).toBe(false);
  });
});

describe('PhraseWatcher (wrap-up phrases in the output stream)', () => {
  it('finds a phrase wrapped in colour codes and split across chunks, once', () => {
    const watcher = new PhraseWatcher(['Session complete']);
    expect(watcher.feed(Buffer.from('Ran the experiment.\r\n\x1b[32mSess'))).toBeUndefined();
    expect(watcher.feed(Buffer.from('ion \x1b[1mcomplete\x1b[0m.\r\n'))).toBe('session complete');
    expect(watcher.feed(Buffer.from('> '))).toBeUndefined();
  });

  it('reads a cursor move between words as a space (Claude Code draws "Session␛[55Gcomplete.")', () => {
    expect(new PhraseWatcher(['Session complete']).feed('Recorded. Session\x1b[55Gcomplete.\r\x1b[1B')).toBe(
      'session complete',
    );
    expect(new PhraseWatcher(['Session complete']).feed('Session\x1b[1Ccomplete')).toBe('session complete');
  });

  it('counts the phrases on a rendered screen (a differential redraw never writes them whole)', () => {
    const watcher = new PhraseWatcher(['Session complete', 'Summary of']);
    expect(watcher.onScreen('● Recorded.  Session complete.\n❯ Continue\n● Session\n  complete again')).toEqual({
      count: 2,
      phrase: 'session complete',
    });
    expect(watcher.onScreen('nothing here')).toEqual({ count: 0, phrase: undefined });
  });

  it('finds the phrase wherever a chunk boundary cuts the cursor move between its words', () => {
    const text = 'Recorded. Session\x1b[55Gcomplete.\r\n';
    for (let cut = 1; cut < text.length; cut++) {
      const watcher = new PhraseWatcher(['Session complete']);
      expect([watcher.feed(text.slice(0, cut)), watcher.feed(text.slice(cut))].find(Boolean), `cut at ${cut}`).toBe(
        'session complete',
      );
    }
  });

  it('matches across line breaks and case, and ignores text without the phrase', () => {
    const watcher = new PhraseWatcher(['Summary of', 'Session complete']);
    expect(watcher.feed('nothing to see\r\n')).toBeUndefined();
    expect(watcher.feed('## SUMMARY\r\nOF the work')).toBe('summary of');
  });

  it('decodes UTF-8 split between chunks', () => {
    const watcher = new PhraseWatcher(['café done']);
    const bytes = Buffer.from('café done');
    expect(watcher.feed(bytes.subarray(0, 4))).toBeUndefined();
    expect(watcher.feed(bytes.subarray(4))).toBe('café done');
  });
});
