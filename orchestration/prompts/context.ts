/** What every prompt template is filled with. */
export interface PromptContext {
  agentId: string;
  /** The current best in-budget score, or null before the first in-budget result. */
  best: number | null;
  target: number;
  budgetMinutes: number;
  /** Worker ids the orchestrator coordinates. */
  workers: string[];
  focus?: { area: string; searchSpace: string };
}

export function bestText(best: number | null): string {
  return best === null ? 'none yet' : best.toFixed(4);
}
