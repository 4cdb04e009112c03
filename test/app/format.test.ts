import { describe, expect, it } from 'vitest';
import stringWidth from 'string-width';
import { clip, formatAge, formatDuration } from '../../components/format.js';

describe('durations on the screen', () => {
  it('reads as seconds, minutes, hours, then days', () => {
    expect(formatDuration(42)).toBe('42s');
    expect(formatDuration(125)).toBe('2m05s');
    expect(formatDuration(3 * 3600 + 7 * 60)).toBe('3h07m');
    // A worker last seen months ago in an old deployment's coordination.json.
    expect(formatDuration(7252 * 3600)).toBe('302d');
  });

  it('says — for a missing or unreadable time instead of NaN', () => {
    expect(formatAge(undefined, Date.now())).toBe('—');
    expect(formatAge('yesterday-ish', Date.now())).toBe('—');
    expect(formatAge('2026-11-25T10:00:00Z', Date.parse('2026-11-25T10:03:00Z'))).toBe('3m00s ago');
  });
});

describe('clip: text cut to terminal columns', () => {
  it('measures display width: wide characters take two columns, and the cut never splits one', () => {
    expect(clip('cmaes_fast', 10)).toBe('cmaes_fast');
    expect(clip('cmaes_fast_polish', 8)).toBe('cmaes_f…');
    const wide = clip('日本語のテキスト', 8);
    expect(wide).toBe('日本語…');
    expect(stringWidth(wide)).toBeLessThanOrEqual(8);
    expect(clip('héllo wörld', 5)).toBe('héll…');
    expect(clip('anything', 0)).toBe('');
  });
});
