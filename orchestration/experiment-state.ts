import { zodToUserError } from '../core/errors.js';
import { ExperimentStateFile } from './schemas.js';

/** What the screen shows for experiments/<name>/STATE.json. */
export interface ExperimentStateView {
  name: string;
  status?: string;
  worker?: string;
  runs: number;
  bestInBudget: { score: number; timeMin: number | null } | null;
}

export function experimentStateViewOf(name: string, data: unknown, file: string): ExperimentStateView {
  const parsed = ExperimentStateFile.safeParse(data);
  if (!parsed.success) throw zodToUserError(parsed.error, file);
  const state = parsed.data;
  const best = state.best_in_budget;
  const view: ExperimentStateView = {
    name,
    runs: state.tuning_runs?.length ?? 0,
    bestInBudget: best && typeof best.score === 'number' ? { score: best.score, timeMin: best.time_min ?? null } : null,
  };
  if (state.status) view.status = state.status;
  if (state.claimed_by) view.worker = state.claimed_by;
  return view;
}
