// Single fields of ralph.config.json read without validating the whole config: `status` and `queue complete`
// must work on a bare folder, and agents call them dozens of times per experiment (loading the zod schema
// cost ~70 ms of such a call).
import fs from 'node:fs';
import { workspacePaths } from '../core/workspace-paths.js';

function rawConfig(workspace: string): Record<string, unknown> {
  try {
    const raw = JSON.parse(fs.readFileSync(workspacePaths(workspace).config, 'utf8')) as unknown;
    return typeof raw === 'object' && raw !== null ? (raw as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

/** ralph.config.json's targetScore, if it names one. */
export function configuredTarget(workspace: string): number | undefined {
  const target = rawConfig(workspace).targetScore;
  return typeof target === 'number' ? target : undefined;
}

/** The budget for "in budget": ralph.config.json's budgetMinutes when readable, else the competition's 60. */
export function configuredBudgetMinutes(workspace: string): number {
  const budget = rawConfig(workspace).budgetMinutes;
  return typeof budget === 'number' ? budget : 60;
}
