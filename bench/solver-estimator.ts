import type { Dataset } from '../solver/dataset.js';
import { estimateSample } from '../solver/estimator/estimate-sample.js';
import { DEFAULT_EXPERIMENT_CONFIG, FAST_EXPERIMENT_CONFIG, parseExperimentConfig, type ExperimentConfig } from '../solver/experiment-config.js';
import { generateDataset } from '../solver/synthetic-dataset.js';
import { scoreDataset, type Predictions } from '../solver/scoring.js';

/**
 * The estimator half of `npm run bench:solver`: on `generateDataset({ samples: 80, seed: 1 })` (the
 * competition's mix), the official score against the clean Y, the proxy score against Y_noisy, CPU seconds
 * per sample and the competition's budget projection, at several budgets. The competition allows
 * 60 min × 7 workers for 400 samples = 63 CPU-s per sample.
 *
 * Environment: BENCH_SAMPLES (default 80), BENCH_BUDGETS (comma list of fast, medium, default).
 */
export const BUDGETS: Record<string, Partial<ExperimentConfig>> = {
  fast: FAST_EXPERIMENT_CONFIG,
  medium: {
    starts1: 3,
    starts2: 4,
    fevals1: 120,
    fevals2: 300,
    polishTopK: 3,
    polishEvals1: 120,
    polishEvals2: 250,
    altStarts: 6,
    altEvals: 200,
    fallbackStarts: 3,
  },
  default: {},
};

export interface BudgetResult {
  budget: string;
  samples: number;
  score: number;
  proxyScore: number;
  cpuSecondsPerSample: number;
  projected400Min: number;
  rmse1: number;
  rmse2: number;
  candidatesPerSample: number;
}

const WORKERS = 7;

export function benchBudget(dataset: Dataset, budget: string, overrides: Partial<ExperimentConfig>, seed = 1): BudgetResult {
  const config = parseExperimentConfig({ ...DEFAULT_EXPERIMENT_CONFIG, ...overrides }, `budget ${budget}`);
  const predictions: Predictions['samples'] = [];
  const cpu = process.cpuUsage();
  for (const sample of dataset.samples) {
    const { candidates } = estimateSample(sample, dataset.meta, config, { seed });
    predictions.push({ sample_id: sample.sample_id, estimated_sources: candidates as [number, number, number][][] });
  }
  const used = process.cpuUsage(cpu);
  const cpuSecondsPerSample = (used.user + used.system) / 1e6 / dataset.samples.length;
  const official = scoreDataset(dataset, { samples: predictions });
  const noisyOnly: Dataset = { ...dataset, samples: dataset.samples.map(({ Y: _clean, ...rest }) => rest) };
  const proxy = scoreDataset(noisyOnly, { samples: predictions });
  const bestLoss = (k: number) => {
    const losses = official.samples.filter((_, i) => dataset.samples[i].n_sources === k).map((s) => s.losses[0]);
    return losses.length ? losses.reduce((a, b) => a + b, 0) / losses.length : NaN;
  };
  return {
    budget,
    samples: dataset.samples.length,
    score: official.score,
    proxyScore: proxy.score,
    cpuSecondsPerSample,
    projected400Min: (cpuSecondsPerSample * 400) / WORKERS / 60,
    rmse1: bestLoss(1),
    rmse2: bestLoss(2),
    candidatesPerSample: predictions.reduce((a, p) => a + p.estimated_sources.length, 0) / predictions.length,
  };
}

export async function runEstimatorBench(): Promise<BudgetResult[]> {
  const samples = Number(process.env.BENCH_SAMPLES ?? 80);
  const names = (process.env.BENCH_BUDGETS ?? 'fast,medium,default').split(',').map((s) => s.trim()).filter(Boolean);
  for (const name of names) if (!BUDGETS[name]) throw new Error(`unknown budget "${name}" (known: ${Object.keys(BUDGETS).join(', ')})`);
  console.log(`estimator: generateDataset({ samples: ${samples}, seed: 1 }), one thread, projection at ${WORKERS} workers`);
  const dataset = generateDataset({ samples, seed: 1 });
  const results: BudgetResult[] = [];
  console.log('| budget | samples | score (clean Y) | proxy (Y_noisy) | CPU-s/sample | projected 400 min @7 | best RMSE 1-src | best RMSE 2-src | candidates/sample |');
  console.log('|---|---|---|---|---|---|---|---|---|');
  for (const name of names) {
    const r = benchBudget(dataset, name, BUDGETS[name]);
    results.push(r);
    console.log(
      `| ${r.budget} | ${r.samples} | ${r.score.toFixed(4)} | ${r.proxyScore.toFixed(4)} | ${r.cpuSecondsPerSample.toFixed(2)} | ${r.projected400Min.toFixed(1)} | ${r.rmse1.toFixed(4)} | ${r.rmse2.toFixed(4)} | ${r.candidatesPerSample.toFixed(2)} |`,
    );
  }
  return results;
}

// Run directly (`node dist/bench/solver-estimator.js`) as well as from bench/solver.ts.
if (import.meta.url === `file://${process.argv[1]}`) await runEstimatorBench();
