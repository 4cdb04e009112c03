// The options `run` and `solve` share, and their parsing.
import type { Command } from 'commander';
import { UserError } from '../../core/errors.js';
import type { ProgressMode } from './run-output-printer.js';

/** The options `run` and `solve` share, parsed into numbers with UserErrors (exit 2), not commander's exit 1. */
export interface SolveCliOptions {
  workers?: number;
  shuffle: boolean;
  maxSamples?: number;
  seed?: number;
  set: string[];
  progress: ProgressMode;
}

export function addSolveOptions(command: Command): Command {
  return command
    .option('--workers <n>', 'worker threads (default: cores − 1, or experiments.workers in ralph.config.json)')
    .option('--shuffle', 'seeded random order, 2-source samples first, so every thread stays busy to the end', false)
    .option('--max-samples <n>', 'run only this many samples')
    .option(
      '--seed <s>',
      "the run's seed (default: the config's seed); each sample's seed derives from it and its index",
    )
    .option(
      '--set <key=value>',
      'override one experiment config key (repeatable), e.g. --set fevals2=200',
      (value: string, list: string[]) => [...list, value],
      [],
    )
    .option('--progress <format>', 'progress output: human lines or the json protocol (one object per line)', 'human');
}

export function parseSolveOptions(raw: Record<string, unknown>): SolveCliOptions {
  const progress = String(raw.progress ?? 'human');
  if (progress !== 'human' && progress !== 'json')
    throw new UserError(`--progress must be "human" or "json", got "${progress}"`);
  return {
    workers: intOption(raw.workers, '--workers', 1),
    shuffle: raw.shuffle === true,
    maxSamples: intOption(raw.maxSamples, '--max-samples', 1),
    seed: intOption(raw.seed, '--seed', 0),
    set: (raw.set as string[] | undefined) ?? [],
    progress,
  };
}

function intOption(value: unknown, name: string, min: number): number | undefined {
  if (value === undefined) return undefined;
  const text = String(value);
  if (!/^\d+$/.test(text) || Number(text) < min)
    throw new UserError(`${name} must be a whole number ≥ ${min}, got "${text}"`);
  return Number(text);
}
