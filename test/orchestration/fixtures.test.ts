import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { nextUp, readCoordination, readQueue, stopState } from '../../orchestration/index.js';
import { configuredTarget } from '../../src/config.js';
import { originalDir, workspaceWith } from './workspace-fixture.js';

describe('every original file is read and normalised', () => {
  it('HEAD coordination.json: the in-budget best is 1.1689 @ 58.2 min (not leaderboard.our_best, not 0)', () => {
    const root = workspaceWith({ 'coordination.json': 'coordination.json' });
    const view = readCoordination(root);
    expect(view.format).toBe('v3');
    expect(view.best).toEqual({
      score: 1.1689,
      timeMin: 58.2,
      experiment: 'hopping_with_tabu_memory (no_tabu_baseline config)',
    });
    expect(view.target).toBe(1.25);
    expect(view.targetSource).toBe('default');
    expect(Object.keys(view.workers)).toEqual(['W1', 'W2', 'W3', 'W4']);
    expect(view.workers.W3).toMatchObject({ status: 'active', currentExperiment: 'EXP_45PCT_TEMPORAL_001' });
    expect(view.workers.W4).toMatchObject({ status: 'idle' });
    expect(view.workers.W4.currentExperiment).toBeUndefined();
    // W1's experiments_run was reset to 0, but 25 completed experiments name it.
    expect(view.workers.W1.runs).toBe(25);
    expect(view.workers.W1.lastSeen).toBe(new Date(1769488065277.3347).toISOString());
    // experiments_completed mixes objects and bare strings.
    expect(view.completed).toHaveLength(79);
    expect(view.completed).toContainEqual({ name: 'mini_batch_sensor_eval' });
    expect(view.completed[0]).toMatchObject({
      id: 'EXP_WEIGHTED_LOSS_001',
      worker: 'W1',
      score: 1.0131,
      timeMin: 90.7,
      result: 'FAILED',
    });
    expect(view.inProgress.map((entry) => entry.id)).toEqual([
      'EXP_COORDINATE_POLISH_001',
      'EXP_NM_DIM_ADAPTIVE_001',
      'EXP_45PCT_TEMPORAL_001',
    ]);
    expect(view.findings).toHaveLength(294);
  });

  it('HEAD experiment_queue.json: statuses in every spelling map to the normalised ones', () => {
    const root = workspaceWith({ 'experiment_queue.json': 'experiment_queue.json' });
    const view = readQueue(root);
    expect(view.format).toBe('v3');
    expect(view.counts).toEqual({
      available: 7,
      claimed: 2,
      running: 2,
      completed: 183,
      failed: 0,
      aborted: 12,
      archived: 3,
      total: 209,
    });
    const byId = new Map(view.entries.map((entry) => [entry.id, entry]));
    expect(byId.get('EXP_SIMPLE_TOP3_NO_FILTER_001')).toMatchObject({
      status: 'claimed',
      worker: 'W2',
      rawStatus: 'claimed_by_W2',
    });
    expect(byId.get('EXP_PERTURB_40PCT_TEMPORAL_001')).toMatchObject({ status: 'claimed', worker: 'W2' });
    expect(byId.get('EXP_SHORTER_NM_POLISH_001')).toMatchObject({
      status: 'running',
      worker: 'W1',
      claimedAt: '2026-01-30T00:51:47.739061',
    });
    expect(byId.get('EXP_GENETIC_ALGORITHM_001')).toMatchObject({
      status: 'completed',
      rawStatus: 'done',
      worker: 'W1',
    });
    expect(byId.get('EXP_MAE_POLISH_001')).toMatchObject({ status: 'completed', rawStatus: 'complete' });
    expect(byId.get('EXP_NM_LARGER_SIMPLEX_001')).toMatchObject({ status: 'aborted', rawStatus: 'NOT_FEASIBLE' });
    expect(byId.get('EXP_COARSE_SURROGATE_001')).toMatchObject({
      status: 'archived',
      rawStatus: 'deprioritized',
      priority: 99,
    });
    expect(byId.get('EXP_LQ_CMAES_001')).toMatchObject({
      status: 'completed',
      priority: 99,
      score: 0.253,
      timeMin: 64.1,
    });
    // A dict result is kept as JSON text, not "[object Object]".
    expect(byId.get('EXP_LIGHTWEIGHT_ENSEMBLE_001')?.result).toMatch(/^\{"status":"NEUTRAL"/);
    expect(nextUp(view, 2).map((entry) => entry.id)).toEqual([
      'EXP_SECOND_NM_ROUND_001',
      'EXP_COORDINATE_REFINEMENT_001',
    ]);
  });

  it('v2 experiment_queue.json: ready_experiments with assigned_to, plus completed_experiments', () => {
    const root = workspaceWith({ 'experiment_queue.json': 'v2-experiment_queue.json' });
    const view = readQueue(root);
    expect(view.format).toBe('v2');
    expect(view.entries.slice(0, 4).map((entry) => [entry.id, entry.status, entry.worker ?? null])).toEqual([
      ['EXP019', 'running', 'W2'],
      ['EXP020', 'running', 'W1'],
      ['EXP021', 'available', null],
      ['EXP022', 'available', null],
    ]);
    expect(view.entries[2].config).toMatchObject({ sigma0_1src: 0.19 });
    const raw = JSON.parse(fs.readFileSync(path.join(originalDir, 'v2-experiment_queue.json'), 'utf8'));
    expect(view.counts.completed).toBe(raw.completed_experiments.length);
    expect(view.entries.find((entry) => entry.id === 'EXP002')).toMatchObject({
      status: 'completed',
      worker: 'W2',
      score: 1.1362,
      timeMin: 69.2,
    });
  });

  it('v1 queue.json: research_topics are the queue when experiment_queue.json does not exist', () => {
    const root = workspaceWith({ 'queue.json': 'v1-queue.json' });
    const view = readQueue(root);
    expect(view.format).toBe('v1');
    expect(view.counts).toMatchObject({ available: 3, total: 3 });
    expect(nextUp(view).map((entry) => [entry.id, entry.name, entry.priority])).toEqual([
      ['RT001', 'threshold_fine_tuning', 1],
      ['RT002', 'lean_budget_optimization', 2],
      ['RT003', 'onset_gradient_init', 3],
    ]);
  });

  for (const [fixture, best, workers] of [
    [
      'v1-coordination.json',
      { score: 1.1247, timeMin: 57.2, experiment: 'robust_fallback' },
      { W1: 'W1_optimal_sigma', W2: 'W2_onset_gradient_init', W3: 'W3_high_sigma' },
    ],
    [
      'v2-coordination.json',
      { score: 1.1247, timeMin: 57.2, experiment: 'robust_fallback' },
      { W1: 'EXP020_sigma_0.185_0.225', W2: 'EXP019_sigma_0.18_0.22_higher_threshold' },
    ],
  ] as const) {
    it(`${fixture}: best_score / best_time_min / target_score at the top level`, () => {
      const root = workspaceWith({ 'coordination.json': fixture });
      const view = readCoordination(root);
      expect(view.format).toBe('v1');
      expect(view.best).toEqual(best);
      expect(view.target).toBe(1.25);
      expect(view.targetSource).toBe('coordination');
      expect(
        Object.fromEntries(Object.entries(view.workers).map(([id, worker]) => [id, worker.currentExperiment])),
      ).toEqual(workers);
      expect(view.workers.W1.status).toBe('running');
    });
  }

  it('v1-coordination.json: runs are the larger of experiments_run and the completed experiments naming the worker', () => {
    const view = readCoordination(workspaceWith({ 'coordination.json': 'v1-coordination.json' }));
    expect(view.workers.W1.runs).toBe(5);
    expect(view.workers.W3.runs).toBe(4);
    expect(view.workers.W1.focus).toBe('threshold_tuning');
  });

  it('state_W*.json (v1 per-worker state) adds workers coordination.json does not list', () => {
    const root = workspaceWith({ 'state_W1.json': 'v1-state_W1.json' });
    const view = readCoordination(root);
    expect(view.format).toBe('missing');
    expect(view.best).toBeNull();
    expect(view.workers.W1).toEqual({ status: 'idle', runs: 0 });
  });

  it('a target in ralph.config.json is used when coordination.json has none', () => {
    const root = workspaceWith({ 'coordination.json': 'coordination.json' });
    fs.writeFileSync(
      path.join(root, 'ralph.config.json'),
      JSON.stringify({ targetScore: 1.1, agents: [{ id: 'W0', role: 'orchestrator' }] }),
    );
    const view = readCoordination(root, configuredTarget(root));
    expect(view).toMatchObject({ target: 1.1, targetSource: 'config' });
    expect(stopState(root, view).targetReached).toBe(true);
  });

  it('a bare folder reads as empty views, not errors', () => {
    const root = workspaceWith();
    expect(readQueue(root)).toMatchObject({ format: 'missing', entries: [], counts: { total: 0 } });
    expect(readCoordination(root)).toMatchObject({ format: 'missing', best: null, workers: {} });
    expect(stopState(root)).toEqual({ present: false, targetReached: false });
  });
});
