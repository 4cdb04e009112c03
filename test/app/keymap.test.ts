import { describe, expect, it } from 'vitest';
import { KEYMAP, bindingsFor, footerHints, lookupKey } from '../../src/app/keymap.js';
import { confirmText } from '../../src/app/confirm-text.js';

describe('keymap (the single source of shortcuts)', () => {
  it('maps focus, layout, scroll, search, experiment, agent, stop and leave keys to actions in normal mode', () => {
    expect(lookupKey('3', 'normal')).toEqual({ action: 'focus-index', arg: 2 });
    expect(lookupKey('\t', 'normal')?.action).toBe('next-agent');
    expect(lookupKey('\x1b[Z', 'normal')?.action).toBe('prev-agent');
    expect(lookupKey('\r', 'normal')?.action).toBe('attach');
    expect(lookupKey('z', 'normal')?.action).toBe('zoom');
    expect(lookupKey('g', 'normal')?.action).toBe('grid');
    expect(lookupKey('\x1b[5~', 'normal')?.action).toBe('scroll-up');
    expect(lookupKey('\x1b[6~', 'normal')?.action).toBe('scroll-down');
    expect(lookupKey('\x1b[F', 'normal')?.action).toBe('follow');
    expect(lookupKey('/', 'normal')?.action).toBe('search');
    expect(lookupKey('e', 'normal')?.action).toBe('start-experiment');
    expect(lookupKey('x', 'normal')?.action).toBe('cancel-experiment');
    expect(lookupKey('r', 'normal')?.action).toBe('restart');
    expect(lookupKey('n', 'normal')?.action).toBe('nudge');
    expect(lookupKey('s', 'normal')?.action).toBe('stop');
    expect(lookupKey('S', 'normal')?.action).toBe('force-stop');
    expect(lookupKey('u', 'normal')?.action).toBe('resume');
    expect(lookupKey('q', 'normal')?.action).toBe('leave-screen');
    expect(lookupKey('?', 'normal')?.action).toBe('help');
    expect(lookupKey('\x03', 'normal')?.action).toBe('interrupt');
  });

  it('leaves every hotkey inactive while attached except Ctrl-]', () => {
    for (const key of ['q', 's', 'z', '1', '\t', '\r', '\x03', '\x1b[5~'])
      expect(lookupKey(key, 'attached')).toBeNull();
    expect(lookupKey('\x1d', 'attached')?.action).toBe('detach');
  });

  it('treats typed text as the query in search mode, Esc closes and Enter searches', () => {
    expect(lookupKey('q', 'search')).toBeNull();
    expect(lookupKey('?', 'search')).toBeNull();
    expect(lookupKey('\x7f', 'search')).toBeNull();
    expect(lookupKey('\x1b', 'search')?.action).toBe('close');
    expect(lookupKey('\r', 'search')?.action).toBe('search-next');
  });

  it('answers y/n in a confirm dialog and nothing else', () => {
    expect(lookupKey('y', 'confirm')?.action).toBe('confirm-yes');
    expect(lookupKey('n', 'confirm')?.action).toBe('confirm-no');
    expect(lookupKey('\x1b', 'confirm')?.action).toBe('confirm-no');
    expect(lookupKey('q', 'confirm')).toBeNull();
  });

  it('has no key bound twice within one mode', () => {
    for (const mode of ['normal', 'attached', 'help', 'confirm', 'run-command', 'picker', 'search'] as const) {
      const seen = new Map<string, string>();
      for (const binding of bindingsFor(mode)) {
        for (const key of binding.keys) {
          expect(seen.get(key), `${JSON.stringify(key)} in ${mode}`).toBeUndefined();
          seen.set(key, binding.action);
        }
      }
    }
  });

  it('generates the footer from the table: attached mode shows only the detach key', () => {
    expect(footerHints('attached')).toEqual([{ label: 'Ctrl-]', description: 'detach' }]);
    const normal = footerHints('normal').map((hint) => hint.label);
    expect(normal).toEqual(KEYMAP.filter((b) => b.footer && b.modes.includes('normal')).map((b) => b.label));
    expect(normal).toContain('q');
  });
});

describe('leaving the screen', () => {
  it('q detaches at once (the footer says detach); stopping every agent is Q, behind a confirm dialog', () => {
    expect(lookupKey('q', 'normal')?.action).toBe('leave-screen');
    expect(footerHints('normal')).toContainEqual({ label: 'q', description: 'detach' });
    expect(lookupKey('Q', 'normal')?.action).toBe('stop-all');
  });

  it('the stop-all dialog says what happens to the agents and containers, and that q only detaches', () => {
    const local = confirmText({ kind: 'confirm', action: 'stop-all' }, { containers: false }).message;
    expect(local).not.toMatch(/container/i);
    expect(local).toContain('q only detaches');
    expect(confirmText({ kind: 'confirm', action: 'stop-all' }, { containers: true }).message).toContain(
      'Containers are kept',
    );
    expect(confirmText({ kind: 'confirm', action: 'stop-all' }, { containers: true, down: true }).message).toContain(
      'remove the agent containers (--down)',
    );
  });
});
