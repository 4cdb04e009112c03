// Turns an experiment's STATE.json into what the screen shows.
import { ExperimentStateFile, parseFile } from './schemas.js';

/** What the screen shows for experiments/<name>/STATE.json. */
export interface ExperimentStateView {
  name: string;
  status?: string;
  worker?: string;
  runs: number;
  bestInBudget: { score: number; timeMin: number | null } | null;
}

export function experimentStateViewOf(name: string, data: unknown, file: string): ExperimentStateView {
  const state = parseFile(ExperimentStateFile, data, file);
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
