// The experiments/<name>/experiment.json schema, its loading, and the built-in experiments.
import type { Dirent } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { assertExperimentName, EXPERIMENT_NAME } from '../../orchestration/index.js';
import { exists, listDir, readText as readFileText } from '../../core/safe-fs.js';
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
export const BUILTINS: Record<string, { description: string; config: Record<string, unknown> }> = {
  baseline: { description: 'the estimator with its best known configuration (all defaults)', config: {} },
  fast: { description: 'small search budgets, for quick checks', config: { ...FAST_EXPERIMENT_CONFIG } },
};

/** Whether a name is a built-in experiment's (those cannot be redefined by the workspace). */
export function isBuiltinExperiment(name: string): boolean {
  return Object.hasOwn(BUILTINS, name);
}

/**
 * Finds an experiment by name: a built-in first (an agent-written experiments/baseline/experiment.json
 * cannot turn `baseline` into a command; its folder still receives the built-in's results), then the
 * workspace's experiments/<name>/experiment.json, then an `experiments.commands` entry of ralph.config.json
 * (an external command).
 */
export function resolveExperiment(root: string, name: string): ExperimentDefinition {
  assertExperimentName(name);
  const dir = workspacePaths(root).experimentDir(name);
  const file = path.join(dir, 'experiment.json');
  const builtin = isBuiltinExperiment(name) ? BUILTINS[name] : undefined;
  if (builtin) return { name, source: 'builtin', dir, description: builtin.description, config: builtin.config };
  if (exists(file)) {
    const parsed = ExperimentFile.safeParse(parseJsonText(readText(file), file));
    if (!parsed.success) throw zodToUserError(parsed.error, file);
    const { description, config, dataset, command } = parsed.data;
    return { name, source: 'workspace', file, dir, description, config, dataset, command };
  }
  const configured = configCommands(root, true).find((entry) => entry.name === name);
  if (configured)
    return {
      name,
      source: 'workspace',
      file: workspacePaths(root).config,
      dir,
      config: {},
      command: configured.command,
    };
  const known = listExperiments(root);
  throw new UserError(
    `no experiment "${name}": expected ${path.relative(root, file) || file}, an experiments.commands entry in ralph.config.json, or a built-in (known: ${known.join(', ')})`,
  );
}

/** Every runnable experiment name: experiments/*\/experiment.json, ralph.config.json's commands, then the built-ins. */
export function listExperiments(root: string): string[] {
  const names = new Set<string>();
  const dir = workspacePaths(root).experiments;
  let entries: Dirent[] = [];
  try {
    entries = listDir(dir);
  } catch {
    // No experiments folder yet (or a link in its place): only the built-ins.
  }
  for (const entry of entries) {
    if (
      entry.isDirectory() &&
      EXPERIMENT_NAME.test(entry.name) &&
      !isBuiltinExperiment(entry.name) &&
      exists(path.join(dir, entry.name, 'experiment.json'))
    )
      names.add(entry.name);
  }
  const ordered = [...names].sort();
  for (const { name } of configCommands(root, false)) {
    if (!names.has(name) && !isBuiltinExperiment(name)) ordered.push(name);
    names.add(name);
  }
  return [...ordered, ...Object.keys(BUILTINS)];
}

/**
 * ralph.config.json's `experiments.commands`. A broken config stops `run` with its own error, but the
 * screen's list shows the other experiments instead of failing.
 */
function configCommands(root: string, strict: boolean): Array<{ name: string; command: string }> {
  if (!exists(workspacePaths(root).config)) return [];
  try {
    return loadConfig(root).experiments.commands;
  } catch (error) {
    if (strict) throw error;
    return [];
  }
}

/** An experiment.json is a few KB of settings. */
const DEFINITION_MAX_BYTES = 1024 * 1024;

function readText(file: string): string {
  try {
    return readFileText(file, { maxBytes: DEFINITION_MAX_BYTES }) ?? '';
  } catch (error) {
    if (error instanceof UserError) throw error;
    throw new UserError(`cannot read ${file}: ${(error as Error).message}`);
  }
}
