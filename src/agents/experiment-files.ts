// Reads and writes an experiment's files: its definition (experiment.json) and its summary.
import path from 'node:path';
import { ensureDir, readText, writeAtomic } from '../../core/safe-fs.js';
import { workspacePaths } from '../../core/workspace-paths.js';

export interface ExperimentDefinition {
  name: string;
  description?: string;
  config: Record<string, unknown>;
  dataset?: string;
}

/**
 * The `command` of an existing experiments/<name>/experiment.json (an experiment someone wrote with its own
 * script, e.g. `python run.py`), which a built-in worker runs as it is instead of overwriting the definition.
 */
export function ownCommand(root: string, name: string): string | null {
  try {
    const definition = JSON.parse(
      readText(path.join(workspacePaths(root).experimentDir(name), 'experiment.json'), { maxBytes: 1024 * 1024 }) ?? '',
    ) as { command?: unknown };
    return typeof definition.command === 'string' && definition.command.trim() ? definition.command : null;
  } catch {
    return null;
  }
}

/** experiments/<name>/experiment.json, the definition `ralph-tui run <name>` executes (written atomically). */
export async function writeExperimentDefinition(root: string, definition: ExperimentDefinition): Promise<string> {
  const dir = workspacePaths(root).experimentDir(definition.name);
  ensureDir(dir);
  const file = path.join(dir, 'experiment.json');
  await writeAtomic(file, `${JSON.stringify(definition, null, 2)}\n`);
  return file;
}

export interface SummaryInput {
  name: string;
  id: string;
  worker: string;
  family?: string;
  description?: string;
  config: Record<string, unknown>;
  score: number;
  against?: string;
  timeMin: number;
  budgetMinutes: number;
  inBudget: boolean;
  newBest: boolean;
  previousBest: number | null;
  finding: string;
  resultFile?: string;
}

/** SUMMARY.md in the layout the original workers wrote (see the fixture experiment-SUMMARY.md). */
export function renderSummary(input: SummaryInput): string {
  const status = input.newBest ? 'SUCCESS — NEW BEST' : input.inBudget ? 'COMPLETED' : 'OVER BUDGET';
  const config = Object.entries(input.config).map(([key, value]) => `- \`${key}\`: ${JSON.stringify(value)}`);
  return [
    `# Experiment Summary: ${input.name}`,
    '',
    '## Metadata',
    `- **Experiment ID**: ${input.id}`,
    `- **Worker**: ${input.worker}`,
    `- **Date**: ${new Date().toISOString().slice(0, 10)}`,
    `- **Algorithm Family**: ${input.family ?? '—'}`,
    '',
    `## Status: ${status}`,
    '',
    '## Objective',
    input.description ?? 'Run the configuration below and compare it with the best in-budget result.',
    '',
    '## Configuration (overrides of the workspace base)',
    ...(config.length > 0 ? config : ['- (none: the base configuration)']),
    '',
    '## Result',
    `- **Score**: ${input.score.toFixed(4)}${input.against === 'Y_noisy' ? ' (proxy against Y_noisy)' : ''}`,
    `- **Projected time (400 samples)**: ${input.timeMin.toFixed(1)} min of ${input.budgetMinutes} (${Math.round((100 * input.timeMin) / input.budgetMinutes)}% of budget)`,
    `- **Previous best**: ${input.previousBest === null ? '—' : input.previousBest.toFixed(4)}`,
    ...(input.resultFile ? [`- **Result file**: ${input.resultFile}`] : []),
    '',
    '## Key Finding',
    input.finding,
    '',
  ].join('\n');
}

export async function writeSummary(root: string, input: SummaryInput): Promise<void> {
  const dir = workspacePaths(root).experimentDir(input.name);
  ensureDir(dir);
  await writeAtomic(path.join(dir, 'SUMMARY.md'), renderSummary(input));
}
