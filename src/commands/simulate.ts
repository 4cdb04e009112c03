// The `ralph-tui simulate` command: runs the forward model for given sources on one sample.
import path from 'node:path';
import type { Command } from 'commander';
import { UserError } from '../../core/errors.js';
import { parseJsonText } from '../../core/json-file.js';
import { loadDataset } from '../../solver/dataset.js';
import { CandidateSchema, CandidateSource, rmse, simulateCandidate } from '../../solver/scoring.js';
import { wholeNumber } from './solver-options.js';

interface SimulateOptions {
  data: string;
  sample: string;
  sources: string;
  repeat: number;
  json?: boolean;
}

export function registerSimulate(program: Command): void {
  program
    .command('simulate')
    .description("simulate candidate sources on a sample's plate and sensors (the official forward model, 100×50 ADI)")
    .requiredOption('--data <file>', 'dataset (.json or the official .pkl)')
    .requiredOption('--sample <id>', 'sample_id to take nt, kappa, bc, T0 and sensors from')
    .requiredOption('--sources <json>', "sources as JSON, e.g. '[[0.6,0.4,1.3],[1.5,0.7,0.5]]' ([x, y, q] each)")
    .option('--repeat <n>', 'run the simulation N times and report the mean time', wholeNumber('--repeat', 1), 1)
    .option('--json', 'print {"sample_id", "Y", "seconds_per_simulation", "rmse"} as JSON')
    .action(async (options: SimulateOptions) => {
      const candidate = parseSources(options.sources);
      const dataset = await loadDataset(path.resolve(options.data));
      const sample = dataset.samples.find((s) => s.sample_id === options.sample);
      if (!sample) {
        const ids = dataset.samples.map((s) => s.sample_id);
        const shown = ids.slice(0, 5).join(', ') + (ids.length > 5 ? ', …' : '');
        throw new UserError(`${options.data}: no sample with id "${options.sample}" (ids: ${shown})`);
      }
      let Y = simulateCandidate(sample, dataset.meta, candidate);
      const started = process.hrtime.bigint();
      for (let k = 0; k < options.repeat; k++) Y = simulateCandidate(sample, dataset.meta, candidate);
      const seconds = Number(process.hrtime.bigint() - started) / 1e9 / options.repeat;
      const m = sample.sensors_xy.length;
      const rows = Array.from({ length: sample.sample_metadata.nt + 1 }, (_, k) =>
        Array.from(Y.subarray(k * m, (k + 1) * m)),
      );
      const losses = {
        ...(sample.Y ? { Y: rmse(Y, sample.Y) } : {}),
        Y_noisy: rmse(Y, sample.Y_noisy),
      };
      if (options.json) {
        process.stdout.write(
          `${JSON.stringify({ sample_id: sample.sample_id, Y: rows, seconds_per_simulation: seconds, rmse: losses })}\n`,
        );
        return;
      }
      const { nt, kappa, bc } = sample.sample_metadata;
      process.stdout.write(
        `${sample.sample_id}: ${candidate.length} source${candidate.length > 1 ? 's' : ''}, ${m} sensors, nt ${nt}, kappa ${kappa}, ${bc}\n` +
          `readings: ${rows.length}×${m}; last row ${rows[rows.length - 1].map((v) => v.toFixed(4)).join(' ')}\n` +
          Object.entries(losses)
            .map(([against, loss]) => `RMSE against ${against}: ${loss.toFixed(6)}\n`)
            .join('') +
          `${(seconds * 1000).toFixed(2)} ms per simulation (${options.repeat} run${options.repeat > 1 ? 's' : ''})\n`,
      );
    });
}

/** `[[x, y, q], …]`; the error names the first source that is not three finite numbers. */
function parseSources(text: string): number[][] {
  const raw = parseJsonText(text, '--sources');
  const result = CandidateSchema.safeParse(raw);
  if (result.success) return result.data;
  if (!Array.isArray(raw) || raw.length === 0)
    throw new UserError('--sources: expected a non-empty JSON list of [x, y, q] sources');
  const bad = raw.findIndex((source) => !CandidateSource.safeParse(source).success);
  throw new UserError(
    `--sources: source [${bad}] must be [x, y, q] (three finite numbers), got ${JSON.stringify(raw[bad])}`,
  );
}
