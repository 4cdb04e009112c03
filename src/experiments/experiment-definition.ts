import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { assertExperimentName, EXPERIMENT_NAME } from '../../orchestration/index.js';
import { FAST_EXPERIMENT_CONFIG } from '../../solver/experiment-config.js';
import { loadConfig } from '../config.js';
import { UserError, zodToUserError } from '../../core/errors.js';
import { parseJsonText } from '../../core/json-file.js';
import { workspacePaths } from '../../core/workspace-paths.js';

/**
 * `experiments/<name>/experiment.json`. `config` holds ExperimentConfig keys (validated when the run
 * starts); `dataset` is relative to the workspace; `command` makes it an external experiment (any
 * script, run as a child process). Other keys (hypothesis, family, ...) are kept for people and agents.
 */
export const ExperimentFile = z.looseObject({
  name: z.string().min(1).optional(),
  description: z.string().optional(),
  config: z.record(z.string(), z.unknown()).default({}),
  dataset: z.string().min(1).optional(),
  command: z.string().min(1).optional(),
});
export type ExperimentFile = z.infer<typeof ExperimentFile>;

export interface ExperimentDefinition {
  name: string;
  source: 'workspace' | 'builtin';
  /** experiment.json, for workspace experiments (used in error messages). */
  file?: string;
  /** Where results/ and STATE.json go. */
  dir: string;
  description?: string;
  config: Record<string, unknown>;
  dataset?: string;
  command?: string;
}

/** Built-in experiments: the best known configuration, and a quick low-budget variant. */
const BUILTINS: Record<string, { description: string; config: Record<string, unknown> }> = {
  baseline: { description: 'the estimator with its best known configuration (all defaults)', config: {} },
  fast: { description: 'small search budgets, for quick checks', config: { ...FAST_EXPERIMENT_CONFIG } },
};


/**
 * Finds an experiment by name: the workspace's experiments/<name>/experiment.json first, then an
 * `experiments.commands` entry of ralph.config.json (an external command), then a built-in.
 */
export function resolveExperiment(root: string, name: string): ExperimentDefinition {
  assertExperimentName(name);
  const dir = workspacePaths(root).experimentDir(name);
  const file = path.join(dir, 'experiment.json');
  if (fs.existsSync(file)) {
    const parsed = ExperimentFile.safeParse(parseJsonText(readText(file), file));
    if (!parsed.success) throw zodToUserError(parsed.error, file);
    const { description, config, dataset, command } = parsed.data;
    return { name, source: 'workspace', file, dir, description, config, dataset, command };
  }
  const configured = configCommands(root, true).find((entry) => entry.name === name);
  if (configured) return { name, source: 'workspace', file: workspacePaths(root).config, dir, config: {}, command: configured.command };
  const builtin = BUILTINS[name];
  if (builtin) return { name, source: 'builtin', dir, description: builtin.description, config: builtin.config };
  const known = listExperiments(root);
  throw new UserError(`no experiment "${name}": expected ${path.relative(root, file) || file}, an experiments.commands entry in ralph.config.json, or a built-in (known: ${known.join(', ')})`);
}

/** Every runnable experiment name: experiments/*\/experiment.json, ralph.config.json's commands, then the built-ins. */
export function listExperiments(root: string): string[] {
  const names = new Set<string>();
  const dir = workspacePaths(root).experiments;
  let entries: fs.Dirent[] = [];
  try {
    entries = fs.readdirSync(dir, { withFileTypes: true });
  } catch {
    // No experiments folder yet: only the built-ins.
  }
  for (const entry of entries) {
    if (entry.isDirectory() && EXPERIMENT_NAME.test(entry.name) && fs.existsSync(path.join(dir, entry.name, 'experiment.json'))) names.add(entry.name);
  }
  const ordered = [...names].sort();
  for (const { name } of configCommands(root, false)) {
    if (!names.has(name)) ordered.push(name);
    names.add(name);
  }
  return [...ordered, ...Object.keys(BUILTINS).filter((name) => !names.has(name))];
}

/**
 * ralph.config.json's `experiments.commands`. A broken config stops `run` with its own error, but the
 * screen's list shows the other experiments instead of failing.
 */
function configCommands(root: string, strict: boolean): Array<{ name: string; command: string }> {
  if (!fs.existsSync(workspacePaths(root).config)) return [];
  try {
    return loadConfig(root).experiments.commands;
  } catch (error) {
    if (strict) throw error;
    return [];
  }
}

function readText(file: string): string {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch (error) {
    throw new UserError(`cannot read ${file}: ${(error as Error).message}`);
  }
}
