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
  /** The experiment config `ralph-tui run` accepts, with its defaults (the best known configuration). */
  experimentConfig?: Record<string, unknown>;
}

export function bestText(best: number | null): string {
  return best === null ? 'none yet' : best.toFixed(4);
}

/** The experiment config keys and defaults, for prompts that write experiment configs (indented 3). */
export function configText(ctx: PromptContext): string {
  if (!ctx.experimentConfig) return '';
  return `   Config keys (unknown keys are rejected; a key left out keeps its default, the best known value):
   ${JSON.stringify(ctx.experimentConfig)}
   Try a single change without editing files: \`ralph-tui run <name> --set key=value\`.
`;
}
