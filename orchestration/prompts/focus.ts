/** A worker's research focus, written into its prompt. */
export interface Focus {
  area: string;
  searchSpace: string;
}

/**
 * Default research focus per worker, taken from the original deployment's prompts so teams keep their split. A
 * worker's `focus` in ralph.config.json replaces its default; workers past W3 explore freely.
 */
/** The original system's parameter names are kept (agents and the log use them); the keys of this
 * project's estimator that play the same role follow in brackets. */
export const DEFAULT_FOCUS: Record<string, Focus> = {
  W1: {
    area: 'threshold tuning',
    searchSpace:
      'threshold_1src 0.28–0.42, threshold_2src 0.38–0.55, fallback_sigma [here: fallbackExcess1, fallbackExcess2, fallbackStarts, sigma0]',
  },
  W2: {
    area: 'init strategies',
    searchSpace:
      'init_strategy, refine_iters 2–5, refine_top 1–3 [here: inits, gridNx/gridNy, polishEvals1/polishEvals2, polishTopK]',
  },
  W3: {
    area: 'feval allocation',
    searchSpace:
      'fallback_fevals 14–24, fevals_1src, fevals_2src 32–44 [here: fallbackStarts, fevals1, fevals2, starts1, starts2]',
  },
};

export const OPEN_FOCUS: Focus = {
  area: 'open exploration',
  searchSpace: 'any direction the queue, the findings and the log suggest; prefer families not yet exhausted',
};

export function focusOf(agentId: string, configured?: Focus): Focus {
  return configured ?? DEFAULT_FOCUS[agentId] ?? OPEN_FOCUS;
}
