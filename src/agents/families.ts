/**
 * The research families the built-in orchestrator explores. A family is one worker's focus area (the same
 * four the original team used) with the experiment-config keys it is allowed to move and
 * how far one step moves them. Keys that the estimator's ExperimentConfig does not have are ignored at
 * run time (see `usableParams`), so this table can be a little ahead of or behind the schema.
 */
export type ParamSpec =
  | { key: string; kind: 'number'; step: number; min: number; max: number; digits: number }
  | { key: string; kind: 'int'; step: number; min: number; max: number }
  | { key: string; kind: 'enum'; values: readonly unknown[] };

export interface Family {
  /** Queue `family` field and the prefix of generated names. */
  id: string;
  /** Focus area written into a worker's config and prompt. */
  area: string;
  /** Human description of the search space (goes into the worker's focus). */
  searchSpace: string;
  params: readonly ParamSpec[];
}

export const FAMILIES: readonly Family[] = [
  {
    id: 'thresholds',
    area: 'threshold tuning',
    searchSpace:
      'fallbackExcess1 0–0.3, fallbackExcess2 0–0.4 (when a poor fit triggers a re-search), fallbackStarts 0–6, distinctMargin',
    params: [
      { key: 'fallbackExcess1', kind: 'number', step: 0.02, min: 0, max: 0.3, digits: 3 },
      { key: 'fallbackExcess2', kind: 'number', step: 0.03, min: 0, max: 0.4, digits: 3 },
      { key: 'fallbackStarts', kind: 'int', step: 1, min: 0, max: 6 },
      { key: 'distinctMargin', kind: 'number', step: 0.03, min: 0, max: 0.3, digits: 3 },
    ],
  },
  {
    id: 'init',
    area: 'init strategies',
    searchSpace: 'inits (grid, hottest, centroid), starts1 1–8, starts2 1–8, sigma0 0.05–0.4, gridNx/gridNy',
    params: [
      {
        key: 'inits',
        kind: 'enum',
        values: [['grid', 'hottest', 'centroid'], ['hottest', 'centroid'], ['grid'], ['grid', 'hottest']],
      },
      { key: 'starts1', kind: 'int', step: 1, min: 1, max: 8 },
      { key: 'starts2', kind: 'int', step: 1, min: 1, max: 8 },
      { key: 'sigma0', kind: 'number', step: 0.04, min: 0.05, max: 0.4, digits: 2 },
      { key: 'gridNx', kind: 'int', step: 6, min: 6, max: 60 },
    ],
  },
  {
    id: 'budget',
    area: 'evaluation budgets',
    searchSpace: 'fevals1 20–600, fevals2 50–1000, polishTopK 1–6, polishIterations, altStarts, altIterations',
    params: [
      { key: 'fevals1', kind: 'int', step: 20, min: 20, max: 600 },
      { key: 'fevals2', kind: 'int', step: 50, min: 50, max: 1000 },
      { key: 'polishTopK', kind: 'int', step: 1, min: 1, max: 6 },
      { key: 'polishIterations', kind: 'int', step: 5, min: 0, max: 60 },
      { key: 'altStarts', kind: 'int', step: 1, min: 0, max: 12 },
      { key: 'altIterations', kind: 'int', step: 5, min: 5, max: 60 },
    ],
  },
  {
    id: 'fidelity',
    area: 'fidelity',
    searchSpace: 'searchNx 20–100 / searchNy 10–50 (search grid), searchTimeFraction 0.2–1, responseRadius 3–8',
    params: [
      { key: 'searchTimeFraction', kind: 'number', step: 0.1, min: 0.2, max: 1, digits: 2 },
      { key: 'searchNx', kind: 'int', step: 10, min: 20, max: 100 },
      { key: 'searchNy', kind: 'int', step: 5, min: 10, max: 50 },
      { key: 'responseRadius', kind: 'number', step: 1, min: 3, max: 8, digits: 1 },
    ],
  },
];

/**
 * Only the parameters the estimator actually knows, with a usable current value (a param whose default is
 * missing or of another type cannot be stepped safely).
 */
export function usableParams(family: Family, defaults: Readonly<Record<string, unknown>>): ParamSpec[] {
  return family.params.filter((param) => {
    const value = defaults[param.key];
    if (param.kind === 'enum')
      return (
        value !== undefined &&
        param.values.some((option) => Array.isArray(option) === Array.isArray(value) && typeof option === typeof value)
      );
    return typeof value === 'number' && Number.isFinite(value);
  });
}

/** The families with at least one usable parameter: the ones the orchestrator can propose in. */
export function activeFamilies(
  defaults: Readonly<Record<string, unknown>>,
  families: readonly Family[] = FAMILIES,
): Family[] {
  return families.filter((family) => usableParams(family, defaults).length > 0);
}

/**
 * The families worker k (1-based) of `workers` focuses on: family k−1, cycling when there are more workers than
 * families; with fewer workers than families each takes several (k−1, k−1+workers, …), so every family is
 * someone's focus even on a 2-core machine with one worker.
 */
export function familiesForWorker(index: number, workers: number, families: readonly Family[] = FAMILIES): Family[] {
  const first = (Math.max(1, index) - 1) % families.length;
  const mine: Family[] = [];
  for (let i = first; i < families.length; i += Math.max(1, workers)) mine.push(families[i]);
  return mine;
}

/** Focus areas as written in a worker's `focus.area`: one area, or several separated by commas. */
export function focusAreas(area: string): string[] {
  return area
    .split(',')
    .map((part) => part.trim().toLowerCase())
    .filter(Boolean);
}
