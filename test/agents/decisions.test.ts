import { describe, expect, it } from 'vitest';
import { cpusetSize, experimentThreads, minutesAtBudgetWorkers, runMinutes } from '../../src/agents/budget.js';
import { activeFamilies, FAMILIES } from '../../src/agents/families.js';
import { analyseHistory, type HistoryEntry } from '../../src/agents/history.js';
import { findingsFrom, orchestratorSleepMs } from '../../src/agents/orchestrator-agent.js';
import { configKey, proposeExperiments } from '../../src/agents/proposals.js';
import { describeResult, failurePauseMs, nextIdleDelay } from '../../src/agents/worker-agent.js';
import { DEFAULT_EXPERIMENT_CONFIG } from '../../solver/experiment-config.js';

const base = { ...DEFAULT_EXPERIMENT_CONFIG } as Record<string, unknown>;

function completed(
  name: string,
  family: string,
  score: number,
  timeMin: number,
  minute: number,
  config: Record<string, unknown> = {},
): HistoryEntry {
  return {
    name,
    family,
    status: 'completed',
    score,
    timeMin,
    completedAt: `2026-01-01T00:${String(minute).padStart(2, '0')}:00Z`,
    config,
  };
}

describe('the budget', () => {
  it('gives a worker the cores of its cpuset, else experiments.workers, else 1', () => {
    expect(cpusetSize('2-3,6')).toBe(3);
    expect(experimentThreads({ cpuset: '1' }, 4)).toBe(1);
    expect(experimentThreads({ cpuset: '2-5' })).toBe(4);
    expect(experimentThreads({}, 3)).toBe(3);
    expect(experimentThreads({})).toBe(1);
  });

  it('judges time at the budget worker count: 70 projected minutes on 1 thread are 10 minutes at 7 workers', () => {
    expect(minutesAtBudgetWorkers(70, 1, 7)).toBeCloseTo(10);
    expect(minutesAtBudgetWorkers(30, 7, 7)).toBeCloseTo(30);
  });

  it("judges a run like `ralph-tui run`: CPU seconds per sample first (63 CPU-s = 60 min), else wall time, else the script's own projection", () => {
    expect(
      runMinutes(
        { type: 'end', score: 1, projected_400_samples_min: 99, workers: 1, cpu_seconds_per_sample: 63 },
        7,
        60,
      ),
    ).toBeCloseTo(60);
    expect(runMinutes({ type: 'end', score: 1, projected_400_samples_min: 70, workers: 1 }, 7, 60)).toBeCloseTo(10);
    expect(runMinutes({ type: 'end', score: 1, projected_400_samples_min: 39 }, 7, 60)).toBe(39);
  });
});

describe('proposals around the best configuration', () => {
  const families = activeFamilies(base);

  it('knows every family the estimator can move', () => {
    expect(families.map((family) => family.id)).toEqual(FAMILIES.map((family) => family.id));
  });

  it('moves one parameter of each family in turn, with unique names and configs not already queued', () => {
    const proposals = proposeExperiments({
      base,
      families,
      center: {},
      centerLabel: 'base',
      existing: [{ name: 'baseline', config: {} }],
      count: 8,
    });
    expect(proposals).toHaveLength(8);
    expect(proposals.slice(0, 4).map((proposal) => proposal.family)).toEqual([
      'thresholds',
      'init',
      'budget',
      'fidelity',
    ]);
    expect(new Set(proposals.map((proposal) => proposal.name)).size).toBe(8);
    const keys = proposals.map((proposal) => configKey(base, proposal.config));
    expect(new Set(keys).size).toBe(8);
    expect(keys).not.toContain(configKey(base, {}));
    for (const proposal of proposals) {
      const changed = Object.keys(proposal.config).filter(
        (key) => JSON.stringify(proposal.config[key]) !== JSON.stringify(base[key]),
      );
      expect(changed).toHaveLength(1);
      const family = FAMILIES.find((candidate) => candidate.id === proposal.family)!;
      expect(family.params.map((param) => param.key)).toContain(changed[0]);
    }
  });

  it('builds on the best configuration and never repeats a configuration already in the queue', () => {
    const center = { fevals1: 140 };
    const first = proposeExperiments({
      base,
      families: families.filter((f) => f.id === 'budget'),
      center,
      centerLabel: 'best',
      existing: [],
      count: 3,
    });
    for (const proposal of first)
      expect(
        Object.keys(proposal.config).length === 1
          ? proposal.config.fevals1 !== undefined
          : proposal.config.fevals1 === 140,
      ).toBe(true);
    const second = proposeExperiments({
      base,
      families: families.filter((f) => f.id === 'budget'),
      center,
      centerLabel: 'best',
      existing: first,
      count: 3,
    });
    const firstKeys = new Set(first.map((proposal) => configKey(base, proposal.config)));
    for (const proposal of second) expect(firstKeys.has(configKey(base, proposal.config))).toBe(false);
    for (const proposal of second) expect(first.map((p) => p.name)).not.toContain(proposal.name);
  });

  it('explores pairs of parameters once every family is retired', () => {
    const proposals = proposeExperiments(
      { base, families: [], center: {}, centerLabel: 'base', existing: [], count: 3 },
      families,
    );
    expect(proposals).toHaveLength(3);
    for (const proposal of proposals) {
      expect(proposal.family).toBe('explore');
      expect(Object.keys(proposal.config)).toHaveLength(2);
    }
  });
});

describe('the history of completed experiments', () => {
  it('tracks the best in-budget result; over-budget results never become the best', () => {
    const history = analyseHistory(
      [
        completed('baseline', 'baseline', 1.0, 20, 1),
        completed('huge', 'budget', 1.2, 75, 2, { fevals1: 600 }),
        completed('better', 'thresholds', 1.05, 30, 3, { fallbackStarts: 4 }),
        { name: 'waiting', family: 'init', status: 'available' },
      ],
      60,
    );
    expect(history.best).toMatchObject({ name: 'better', score: 1.05, config: { fallbackStarts: 4 } });
    expect(history.improvements.map((improvement) => improvement.name)).toEqual(['baseline', 'better']);
  });

  it('a result equal to the best at the 4 decimals scores are shown with is no improvement (no "NEW BEST +0.0000")', () => {
    const history = analyseHistory(
      [
        completed('baseline', 'baseline', 1.21041, 20, 1),
        completed('tie', 'thresholds', 1.21043, 20, 2),
        completed('better', 'init', 1.2105, 20, 3),
      ],
      60,
    );
    expect(history.improvements.map((improvement) => improvement.name)).toEqual(['baseline', 'better']);
    expect(findingsFrom(history).join('\n')).not.toContain('+0.0000');
  });

  it('retires a family whose last 3 experiments did not improve the best, and only that family', () => {
    const entries = [
      completed('baseline', 'baseline', 1.0, 20, 1),
      completed('t1', 'thresholds', 0.99, 20, 2),
      completed('i1', 'init', 1.01, 20, 3),
      completed('t2', 'thresholds', 0.98, 20, 4),
      completed('i2', 'init', 1.0, 20, 5),
      completed('t3', 'thresholds', 1.005, 20, 6),
    ];
    const history = analyseHistory(entries, 60);
    expect([...history.retired.keys()]).toEqual(['thresholds']);
    expect(history.retired.get('thresholds')).toEqual(['t1', 't2', 't3']);
    expect(findingsFrom(history).some((text) => text.startsWith('Family thresholds retired'))).toBe(true);
    // An improvement in the family resets its streak.
    const revived = analyseHistory([...entries.slice(0, 5), completed('t3', 'thresholds', 1.1, 20, 6)], 60);
    expect(revived.retired.size).toBe(0);
    // A failed run did not improve the best either.
    const failing = analyseHistory(
      [
        ...entries.slice(0, 5),
        { name: 't3', family: 'thresholds', status: 'failed', completedAt: '2026-01-01T00:06:00Z' },
      ],
      60,
    );
    expect(failing.retired.get('thresholds')).toEqual(['t1', 't2', 't3']);
  });
});

describe('worker and orchestrator pacing', () => {
  it('sleeps less when the queue is low and backs off when idle, within bounds', () => {
    expect(orchestratorSleepMs(2)).toBeLessThan(orchestratorSleepMs(9));
    expect(orchestratorSleepMs(100)).toBe(30_000);
    expect(nextIdleDelay(null)).toBe(2_000);
    expect(nextIdleDelay(16_000)).toBe(30_000);
    expect([1, 2, 3].map(failurePauseMs)).toEqual([5_000, 10_000, 20_000]);
    expect(failurePauseMs(20)).toBe(300_000);
  });

  it('describes results: a new best, no improvement, over budget', () => {
    expect(
      describeResult({
        score: 1.1,
        timeMin: 30,
        inBudget: true,
        budgetMinutes: 60,
        previousBest: 1.05,
        config: { sigma0: 0.2 },
      }).result,
    ).toContain('NEW BEST');
    expect(
      describeResult({ score: 1.0, timeMin: 30, inBudget: true, budgetMinutes: 60, previousBest: 1.05, config: {} })
        .finding,
    ).toContain('-0.0500');
    expect(
      describeResult({ score: 1.3, timeMin: 70, inBudget: false, budgetMinutes: 60, previousBest: 1.05, config: {} })
        .result,
    ).toContain('OVER BUDGET');
  });
});
