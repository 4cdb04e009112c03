// The worker's check of the workspace dataset before it claims anything: a bad dataset is everyone's problem,
// not the experiment's, so it must never consume queue entries as failures.
import path from 'node:path';
import { entry, readBytes } from '../../core/safe-fs.js';
import { decodeDataset, parseDataset } from '../../solver/dataset.js';
import type { RalphConfig } from '../config.js';

/** The dataset experiments run on: experiments.dataset, else the runner's default. */
export function workspaceDataset(root: string, config: RalphConfig): string {
  return path.resolve(root, config.experiments.dataset ?? 'data/synthetic.json');
}

/** Far above any real dataset (the 80-sample reference set is a few MB), low enough not to exhaust memory. */
const DATASET_MAX_BYTES = 1024 * 1024 * 1024;

/** Loads the dataset once per change (size and mtime) and remembers the verdict. */
export class DatasetCheck {
  private seen: { stamp: string; problem: string | null } | null = null;

  constructor(private readonly file: string) {}

  /** null when the dataset loads and validates; else one sentence naming the file, the problem and the fix. */
  async problem(): Promise<string | null> {
    let stamp: string;
    try {
      const found = entry(this.file);
      stamp = `${found.kind}:${found.size}:${found.mtimeMs}`;
    } catch {
      stamp = 'unreadable';
    }
    if (this.seen?.stamp === stamp) return this.seen.problem;
    let problem: string | null = null;
    try {
      // Through safe-fs like every workspace read: a link, pipe or oversized file is refused by name.
      const bytes = readBytes(this.file, { maxBytes: DATASET_MAX_BYTES });
      if (bytes === null) throw new Error(`${this.file}: no such dataset file`);
      const dataset = parseDataset(decodeDataset(bytes, this.file), this.file);
      if (dataset.samples.length === 0) problem = `${this.file}: the dataset has no samples`;
    } catch (error) {
      problem = (error as Error).message;
    }
    if (problem)
      problem = `dataset unusable: ${problem} (fix the file, or regenerate it with \`ralph-tui generate --out ${this.file}\`); no experiment is claimed meanwhile`;
    this.seen = { stamp, problem };
    return problem;
  }
}
