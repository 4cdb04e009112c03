// Scripts the scripted model plays to real Claude CLI agents in the end-to-end tests and the benchmark.
import type { AgentScript } from './scripted-model.js';

/** A worker that claims, runs (1 sample), completes and logs through its Bash tool, then wraps up. */
export function workerScript(id = 'W1'): AgentScript {
  return {
    waiting: 'Nothing else is queued for me.',
    steps: [
      { reply: { text: 'Claiming the next experiment.', bash: `ralph-tui queue claim --worker ${id} --json` } },
      {
        reply: (turn) => {
          const entry = JSON.parse(turn.toolResult ?? '{}') as { id: string; name: string };
          return {
            text: `Claimed ${entry.id}; running ${entry.name}.`,
            bash: `ralph-tui run ${entry.name} --max-samples 1 --workers 1`,
          };
        },
      },
      {
        reply: (turn) => {
          const score = /Submission Score: ([\d.]+)/.exec(turn.toolResult ?? '')?.[1] ?? '0';
          const time = /Projected \(400\): ([\d.]+) min/.exec(turn.toolResult ?? '')?.[1] ?? '0';
          const fields = `--worker ${id} --score ${score} --time ${time} --result SUCCESS --finding "scripted run of fast"`;
          return {
            text: `Scored ${score}; recording it.`,
            bash: `ralph-tui queue complete EXP_FAST_001 ${fields} && ralph-tui log append --experiment fast ${fields}`,
          };
        },
      },
      { reply: { text: 'Recorded in the queue and ITERATION_LOG.md. Session complete.' } },
    ],
  };
}
