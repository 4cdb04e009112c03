// The `ralph-tui generate` command: writes a synthetic dataset.
import path from 'node:path';
import type { Command } from 'commander';
import { writeDataset } from '../../solver/dataset.js';
import { generateDataset } from '../../solver/synthetic-dataset.js';
import { wholeNumber } from './solver-options.js';

export function registerGenerate(program: Command): void {
  program
    .command('generate')
    .description(
      'write a synthetic dataset with ground truth, drawn like the competition data (.json, or .pkl by extension)',
    )
    .requiredOption(
      '--out <file>',
      'output file; a name ending in .pkl gets the official pickle layout, anything else JSON',
    )
    .option('--samples <n>', 'number of samples', wholeNumber('--samples', 1), 400)
    .option('--seed <s>', 'random seed (same seed, same dataset)', wholeNumber('--seed', 0), 0)
    .option('--json', 'print {"out", "samples", "seed", "seconds"} as JSON')
    .action(async (options: { out: string; samples: number; seed: number; json?: boolean }) => {
      const started = Date.now();
      const progress = process.stderr.isTTY && !options.json;
      const dataset = generateDataset({
        samples: options.samples,
        seed: options.seed,
        onSample: progress ? (done, total) => process.stderr.write(`\rsimulating ${done}/${total}`) : undefined,
      });
      if (progress) process.stderr.write('\n');
      const out = path.resolve(options.out);
      await writeDataset(out, dataset);
      const seconds = (Date.now() - started) / 1000;
      if (options.json) {
        process.stdout.write(`${JSON.stringify({ out, samples: options.samples, seed: options.seed, seconds })}\n`);
      } else {
        process.stdout.write(
          `wrote ${options.samples} samples to ${options.out} (seed ${options.seed}, ${seconds.toFixed(1)} s)\n`,
        );
      }
    });
}
