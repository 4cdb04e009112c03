import { describe, expect, it } from 'vitest';
import { initialUiState, inputMode, reduceUi, scrollBy } from '../../src/app/ui-state.js';

const ids = ['W0', 'W1', 'W2'];

describe('UI state reducer', () => {
  it('focuses the first agent, cycles with Tab/Shift-Tab and detaches when focus moves', () => {
    let state = reduceUi(initialUiState, { type: 'agents', ids });
    expect(state.focusedId).toBe('W0');
    state = reduceUi(state, { type: 'focus-offset', ids, offset: -1 });
    expect(state.focusedId).toBe('W2');
    state = reduceUi(state, { type: 'attach' });
    expect(inputMode(state)).toBe('attached');
    state = reduceUi(state, { type: 'focus-offset', ids, offset: 1 });
    expect(state.focusedId).toBe('W0');
    expect(state.attached).toBe(false);
  });

  it('toggles zoom and grid against the split view', () => {
    let state = reduceUi(initialUiState, { type: 'toggle-view', view: 'zoom' });
    expect(state.view).toBe('zoom');
    state = reduceUi(state, { type: 'toggle-view', view: 'grid' });
    expect(state.view).toBe('grid');
    state = reduceUi(state, { type: 'toggle-view', view: 'grid' });
    expect(state.view).toBe('split');
  });

  it('overlays take the input mode; closing returns to normal', () => {
    let state = reduceUi(initialUiState, { type: 'overlay', overlay: { kind: 'confirm', action: 'stop' } });
    expect(inputMode(state)).toBe('confirm');
    state = reduceUi(state, { type: 'overlay', overlay: null });
    expect(inputMode(state)).toBe('normal');
  });

  it('scrolls by half pages within the scrollback and follows again at the bottom', () => {
    expect(scrollBy(undefined, 100, -20)).toBe(80);
    expect(scrollBy(10, 100, -20)).toBe(0);
    expect(scrollBy(90, 100, 20)).toBeUndefined();
    expect(scrollBy(undefined, 0, -20)).toBeUndefined();
  });
});
