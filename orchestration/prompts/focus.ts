import type { FocusConfig } from '../../src/config.js';

/**
 * Default research focus per worker, from the original deployment's prompts (issue 3 §5). A
 * worker's `focus` in ralph.config.json replaces its default; workers past W3 explore freely.
 */
export const DEFAULT_FOCUS: Record<string, FocusConfig> = {
  W1: { area: 'threshold tuning', searchSpace: 'threshold_1src 0.28–0.42, threshold_2src 0.38–0.55, fallback_sigma' },
  W2: { area: 'init strategies', searchSpace: 'init_strategy, refine_iters 2–5, refine_top 1–3' },
  W3: { area: 'feval allocation', searchSpace: 'fallback_fevals 14–24, fevals_1src, fevals_2src 32–44' },
};

export const OPEN_FOCUS: FocusConfig = {
  area: 'open exploration',
  searchSpace: 'any direction the queue, the findings and the log suggest; prefer families not yet exhausted',
};

export function focusOf(agentId: string, configured?: FocusConfig): FocusConfig {
  return configured ?? DEFAULT_FOCUS[agentId] ?? OPEN_FOCUS;
}
