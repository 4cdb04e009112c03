// The `ralph-tui score` command: scores a predictions file with the official metric.
import path from 'node:path';
import type { Command } from 'commander';
import { plainText } from '../../core/plain-text.js';
import { loadDataset } from '../../solver/dataset.js';
import { loadPredictions } from '../../solver/predictions-file.js';
import { PLATE, scoreDataset, sourcesOffPlate } from '../../solver/scoring.js';

export function registerScore(program: Command): void {
  program
    .command('score')
    .description('score predictions with the official metric (re-simulates every kept candidate)')
    .requiredOption('--data <file>', 'dataset (.json or the official .pkl)')
    .requiredOption(
      '--predictions <file>',
      'JSON {"samples": [{"sample_id", "estimated_sources": [[[x, y, q], …], …]}]} or the .npz submission',
    )
    .option('--only-predicted', 'average over the predicted samples only (default: missing samples score 0)')
    .option('--json', 'print {"score", "against", "samples": [{"sample_id", "score", "n_valid", "losses"}], "missing"}')
    .action(async (options: { data: string; predictions: string; onlyPredicted?: boolean; json?: boolean }) => {
      const predictions = await loadPredictions(path.resolve(options.predictions));
      const dataset = await loadDataset(path.resolve(options.data));
      const result = scoreDataset(dataset, predictions, { onlyPredicted: options.onlyPredicted });
      const off = sourcesOffPlate(predictions);
      if (off.length) {
        const first = off[0];
        // Sample ids come from the predictions file: printed without escape sequences.
        process.stderr.write(
          plainText(
            `ralph-tui: warning: ${off.length} predicted source${off.length > 1 ? 's lie' : ' lies'} outside the ${PLATE.Lx}×${PLATE.Ly} plate (first: ${first.sample_id} candidate ${first.candidate} at x=${first.x}, y=${first.y}); scored as given`,
          ) + '\n',
        );
      }
      if (options.json) {
        const samples = result.samples.map(({ sample_id, score, n_valid, losses }) => ({
          sample_id,
          score,
          n_valid,
          losses,
        }));
        process.stdout.write(
          `${JSON.stringify({ score: result.score, against: result.against, samples, missing: result.missing })}\n`,
        );
        return;
      }
      const width = Math.max(9, ...result.samples.map((s) => s.sample_id.length));
      const lines = [`${'sample'.padEnd(width)}  score   kept  RMSE of kept candidates`];
      for (const s of result.samples) {
        lines.push(
          `${s.sample_id.padEnd(width)}  ${s.score.toFixed(4)}  ${String(s.n_valid).padStart(4)}  ${s.losses.map((l) => l.toFixed(4)).join(' ')}`,
        );
      }
      const proxy =
        result.against === 'Y_noisy' ? ' (proxy: against Y_noisy — the data has no clean Y)' : ' (against clean Y)';
      lines.push(`score ${result.score.toFixed(6)} over ${result.samples.length} samples${proxy}`);
      if (result.missing.length) {
        const how = options.onlyPredicted ? 'not scored' : 'scored 0';
        lines.push(`${result.missing.length} sample${result.missing.length > 1 ? 's' : ''} without predictions ${how}`);
      }
      process.stdout.write(`${plainText(lines.join('\n'), { multiline: true })}\n`);
    });
}
