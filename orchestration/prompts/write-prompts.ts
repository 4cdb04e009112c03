// Builds each agent's prompt text and writes the prompt files agents read.
import { ensureDir } from '../../core/safe-fs.js';
import { DEFAULT_EXPERIMENT_CONFIG } from '../../solver/experiment-config.js';
import { workspacePaths } from '../../core/workspace-paths.js';
import { readCoordination } from '../coordination.js';
import { writeTextAtomic } from '../json-store.js';
import type { PromptContext } from './context.js';
import { focusOf, type Focus } from './focus.js';
import { orchestratorPrompt } from './orchestrator.js';
import { workerPrompt } from './worker.js';

/** What the prompts are written from: the team as ralph.config.json describes it, every agent's default applied. */
export interface PromptTeam {
  targetScore: number;
  budgetMinutes: number;
  agents: Array<{
    id: string;
    role: 'orchestrator' | 'worker';
    focus?: Focus;
    /** How the prompt reaches the agent: not at all, from a file, or a literal text. */
    prompt: 'off' | { file: string } | { text: string };
  }>;
}

/** The prompt text for one agent of the team. */
export function promptFor(config: PromptTeam, agentId: string, best: number | null): string {
  const agent = config.agents.find((candidate) => candidate.id === agentId);
  if (!agent) throw new Error(`no agent ${agentId}`);
  const ctx: PromptContext = {
    agentId,
    best,
    target: config.targetScore,
    budgetMinutes: config.budgetMinutes,
    workers: config.agents.filter((candidate) => candidate.role === 'worker').map((candidate) => candidate.id),
    experimentConfig: DEFAULT_EXPERIMENT_CONFIG,
  };
  if (agent.role === 'orchestrator') return orchestratorPrompt(ctx);
  return workerPrompt({ ...ctx, focus: focusOf(agentId, agent.focus) });
}

/**
 * (Re)writes orchestration/shared/prompt_<id>.txt for every agent that reads its prompt from a
 * file (claude and custom agents; built-in agents need none; a prompt file configured elsewhere is
 * the user's and is left alone). UTF-8, written atomically.
 * `best` defaults to the best in-budget score in coordination.json.
 */
export async function writePrompts(
  root: string,
  config: PromptTeam,
  options: { best?: number | null } = {},
): Promise<string[]> {
  const paths = workspacePaths(root);
  const best = options.best !== undefined ? options.best : (readCoordination(root).best?.score ?? null);
  ensureDir(paths.shared);
  const written: string[] = [];
  for (const agent of config.agents) {
    // Built-in agents take no prompt; a prompt given as text in the config is pasted as is.
    const { prompt } = agent;
    if (prompt === 'off' || 'text' in prompt) continue;
    const file = paths.prompt(agent.id);
    await writeTextAtomic(file, promptFor(config, agent.id, best));
    written.push(file);
  }
  return written;
}
