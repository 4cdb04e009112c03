// Single fields of ralph.config.json read without validating the whole config: `status` and `queue complete`
// must work on a bare folder, and agents call them dozens of times per experiment (loading the zod schema
// cost ~70 ms of such a call).
import { secretValues } from '../core/redact.js';
import { readText } from '../core/safe-fs.js';
import { workspacePaths } from '../core/workspace-paths.js';

/** A config is a few KB; a megabyte is already absurd. */
export const CONFIG_MAX_BYTES = 1024 * 1024;

/** The host variables handed to agents when the config names none: Claude Code's credentials. */
export const DEFAULT_PASS_ENV: readonly string[] = ['ANTHROPIC_API_KEY', 'CLAUDE_CODE_OAUTH_TOKEN'];

function rawConfig(workspace: string): Record<string, unknown> {
  try {
    const raw = JSON.parse(readText(workspacePaths(workspace).config, { maxBytes: CONFIG_MAX_BYTES }) ?? '') as unknown;
    return isObject(raw) ? raw : {};
  } catch {
    return {};
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function strings(value: unknown): string[] | undefined {
  return Array.isArray(value) && value.every((item) => typeof item === 'string') ? value : undefined;
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

/** The config's shape as far as secrets go: a validated config and a raw, possibly broken, one both fit. */
export interface SecretFields {
  passEnv?: unknown;
  agents?: unknown;
}

/** Every passEnv name of a config: workspace-wide (the default when it names none) and per agent. */
export function passEnvNames(config: SecretFields): string[] {
  const names = new Set(strings(config.passEnv) ?? DEFAULT_PASS_ENV);
  for (const agent of Array.isArray(config.agents) ? config.agents : [])
    for (const name of (isObject(agent) && strings(agent.passEnv)) || []) names.add(name);
  return [...names];
}

/**
 * Every value the config makes secret: the host values of any passEnv name (workspace-wide and per agent) and
 * agents' literal env entries named like credentials. Redacted from every stream that reaches a file or stdout.
 */
export function secretsOf(config: SecretFields, env: NodeJS.ProcessEnv = process.env): string[] {
  const literal: Record<string, string> = {};
  for (const agent of Array.isArray(config.agents) ? config.agents : []) {
    if (!isObject(agent) || !isObject(agent.env)) continue;
    for (const [name, value] of Object.entries(agent.env))
      if (typeof value === 'string') literal[`${String(agent.id)}:${name}`] = value;
  }
  return secretValues(passEnvNames(config), env, literal);
}

/**
 * The secrets to redact from a command's output even when the config is missing or broken (`status` works on a
 * bare or broken folder): whatever passEnv names and credential-like env entries the file holds, else the
 * values of the default passEnv names. Read without the config schema, like the fields above.
 */
export function workspaceSecrets(workspace: string, env: NodeJS.ProcessEnv = process.env): string[] {
  return secretsOf(rawConfig(workspace), env);
}
