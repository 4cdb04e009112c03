// How the built-in orchestrator proposes new queue entries around the best configuration.
import { type Family, type ParamSpec, usableParams } from './families.js';

/** A config override set: ExperimentConfig keys → values, layered over the workspace's base config. */
export type Overrides = Record<string, unknown>;

/** What the orchestrator adds to the queue (the `addExperiments` input). */
export interface Proposal {
  name: string;
  family: string;
  priority: number;
  description: string;
  hypothesis: string;
  config: Overrides;
}

export interface ProposalInput {
  /** Effective base config: the estimator's defaults with the workspace's base overrides applied. */
  base: Readonly<Record<string, unknown>>;
  /** Families that may receive proposals (not retired, at least one usable parameter). */
  families: readonly Family[];
  /** Overrides of the best in-budget experiment so far ({} = the base config is the centre). */
  center: Overrides;
  centerLabel: string;
  /** Every queue entry so far (any status): their configs are never proposed again, their names never reused. */
  existing: ReadonlyArray<{ name: string; config?: Record<string, unknown> }>;
  count: number;
  priority?: number;
}

/** Steps tried further and further out once the near neighbours of the centre have all been run. */
const MAX_SCALE = 4;
const EXPLORE_FAMILY = 'explore';

/** A stable identity for an effective configuration, so the same experiment is never queued twice. */
export function configKey(base: Readonly<Record<string, unknown>>, overrides: Overrides): string {
  const effective: Record<string, unknown> = { ...base, ...overrides };
  const keys = Object.keys(effective).sort();
  return JSON.stringify(keys.map((key) => [key, normalise(effective[key])]));
}

function normalise(value: unknown): unknown {
  return typeof value === 'number' ? Number(value.toPrecision(10)) : value;
}

/** One parameter moved `direction × scale` steps from `current`, or null when that leaves the range. */
export function stepValue(param: ParamSpec, current: unknown, direction: 1 | -1, scale: number): unknown | null {
  if (param.kind === 'enum') return null;
  if (typeof current !== 'number') return null;
  const raw = current + direction * param.step * scale;
  const value = param.kind === 'int' ? Math.round(raw) : Number(raw.toFixed(param.digits));
  if (value < param.min || value > param.max || value === current) return null;
  return value;
}

/**
 * Neighbours of the centre that move one parameter of the family: nearest first, and within a distance every
 * parameter up before any goes down, so the first few proposals touch different parameters. An enum's other
 * options are handed out one per (distance, direction) slot.
 */
function familyNeighbours(
  family: Family,
  base: Readonly<Record<string, unknown>>,
  center: Overrides,
): Array<{ key: string; from: unknown; to: unknown }> {
  const effective = { ...base, ...center };
  const params = usableParams(family, base);
  const moves: Array<{ key: string; from: unknown; to: unknown }> = [];
  for (let scale = 1; scale <= MAX_SCALE; scale++) {
    for (const [slot, direction] of ([1, -1] as const).entries()) {
      for (const param of params) {
        const from = effective[param.key];
        if (param.kind === 'enum') {
          const others = param.values.filter((option) => JSON.stringify(option) !== JSON.stringify(from));
          const option = others[(scale - 1) * 2 + slot];
          if (option !== undefined) moves.push({ key: param.key, from, to: option });
          continue;
        }
        const to = stepValue(param, from, direction, scale);
        if (to !== null) moves.push({ key: param.key, from, to });
      }
    }
  }
  return moves;
}

/** Two parameters of different families moved together: used once every family is retired. */
function exploreNeighbours(
  allFamilies: readonly Family[],
  base: Readonly<Record<string, unknown>>,
  center: Overrides,
): Array<Array<{ key: string; from: unknown; to: unknown }>> {
  const effective = { ...base, ...center };
  const params = allFamilies.flatMap((family) => usableParams(family, base).filter((param) => param.kind !== 'enum'));
  const moves: Array<Array<{ key: string; from: unknown; to: unknown }>> = [];
  for (let scale = 1; scale <= MAX_SCALE; scale++) {
    for (let a = 0; a < params.length; a++) {
      for (let b = a + 1; b < params.length; b++) {
        for (const [da, db] of [
          [1, 1],
          [1, -1],
          [-1, 1],
          [-1, -1],
        ] as const) {
          const toA = stepValue(params[a], effective[params[a].key], da, scale);
          const toB = stepValue(params[b], effective[params[b].key], db, scale);
          if (toA === null || toB === null) continue;
          moves.push([
            { key: params[a].key, from: effective[params[a].key], to: toA },
            { key: params[b].key, from: effective[params[b].key], to: toB },
          ]);
        }
      }
    }
  }
  return moves;
}

/** Folder- and shell-safe experiment names (they become experiments/<name>/). */
export function slug(text: string): string {
  return text.replace(/[^a-zA-Z0-9_.-]+/g, '-').replace(/^[^a-zA-Z0-9]+|-+$/g, '');
}

function show(value: unknown): string {
  return Array.isArray(value) ? value.join('+') : String(value);
}

function uniqueName(wanted: string, taken: Set<string>): string {
  let name = slug(wanted);
  for (let n = 2; taken.has(name); n++) name = `${slug(wanted)}-${n}`;
  taken.add(name);
  return name;
}

/**
 * New queue entries around the centre: round-robin over the families, each proposal moving one of the
 * family's parameters by one step (then two, three … once the nearer ones were run), never a configuration
 * that is already in the queue. With no family left, pairs of parameters are moved together ("explore").
 */
export function proposeExperiments(input: ProposalInput, allFamilies: readonly Family[] = input.families): Proposal[] {
  const tried = new Set(
    input.existing.filter((entry) => entry.config).map((entry) => configKey(input.base, entry.config ?? {})),
  );
  const names = new Set(input.existing.map((entry) => entry.name));
  const proposals: Proposal[] = [];
  const priority = input.priority ?? 10;

  const take = (familyId: string, area: string, moves: Array<{ key: string; from: unknown; to: unknown }>): boolean => {
    const config: Overrides = { ...input.center };
    for (const move of moves) config[move.key] = move.to;
    const key = configKey(input.base, config);
    if (tried.has(key)) return false;
    tried.add(key);
    const change = moves.map((move) => `${move.key} ${show(move.from)} → ${show(move.to)}`).join(', ');
    proposals.push({
      name: uniqueName(`${familyId}-${moves.map((move) => `${move.key}-${show(move.to)}`).join('-')}`, names),
      family: familyId,
      priority,
      description: `${area}: ${change} around ${input.centerLabel}`,
      hypothesis: `Moving ${change} from the best configuration improves the score within the time budget.`,
      config,
    });
    return true;
  };

  const queues = input.families.map((family) => ({
    family,
    moves: familyNeighbours(family, input.base, input.center),
  }));
  while (proposals.length < input.count && queues.some((queue) => queue.moves.length > 0)) {
    for (const queue of queues) {
      if (proposals.length >= input.count) break;
      while (queue.moves.length > 0) if (take(queue.family.id, queue.family.area, [queue.moves.shift()!])) break;
    }
  }
  if (proposals.length < input.count) {
    for (const pair of exploreNeighbours(allFamilies, input.base, input.center)) {
      if (proposals.length >= input.count) break;
      take(EXPLORE_FAMILY, 'exploration', pair);
    }
  }
  return proposals;
}
