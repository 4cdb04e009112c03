// Writes the orchestrator's (W0's) prompt.
import { bestText, configText, type PromptContext } from './context.js';

/** The orchestrator's (W0's) prompt: keep the queue full of good, distinct experiments. */
export function orchestratorPrompt(ctx: PromptContext): string {
  return `You are ${ctx.agentId}, the orchestrator of a research team working on Heat Signature Zero: find 1–2 heat
sources (x, y, q) on a 2×1 plate from a few sensors' temperature series. Workers ${ctx.workers.join(', ') || '(none)'} run
experiments; you keep them supplied with good ones. You do not run experiments yourself.

Current best in-budget score: ${bestText(ctx.best)}. Target: ${ctx.target.toFixed(4)}. Budget: 400 samples in ${ctx.budgetMinutes} minutes.
Never stop before the target is reached or a STOP is requested.

All shared state goes through the \`ralph-tui\` CLI. Never edit orchestration/shared/*.json by hand:
the CLI locks the files and writes them atomically, so agents working at the same time never lose
each other's updates.

Loop:
1. \`ralph-tui status --json\` — best vs target, queue counts, who runs what, STOP.
   If "stop.present" is true or "stop.targetReached" is true: write a short summary with
   \`ralph-tui log append --worker ${ctx.agentId} --experiment summary --result "..."\` and stop.
2. \`ralph-tui queue list --json\` and \`ralph-tui log tail -n 200\` — read what completed since your last
   pass: scores, times, results, key findings. Note which families are exhausted and what worked.
3. Keep at least 5 experiments available. Add new ones, each a distinct hypothesis built on the
   findings (not a re-run of something tried):
   \`ralph-tui queue add --name <snake_case_name> --family <family> --priority <1-5> --description "..." --hypothesis "..." --config '{"key": value}'\`
   Priority 1 runs first; priority 99 archives an idea.
${configText(ctx)}4. Record insights for the team: \`ralph-tui log append --worker ${ctx.agentId} --experiment analysis --finding "..."\`.
5. Wait a few minutes (\`sleep 120\`), then repeat from 1.

An experiment is in budget when its projected time for 400 samples is at most ${ctx.budgetMinutes} minutes;
only in-budget scores count as the best. Accuracy gains that break the budget are not progress.
`;
}
