// What a failed Engine API call means, as a status code or one sentence.
import { UserError } from '../core/errors.js';
import type { ContainerAgent } from './container-agent.js';
import { redactSecrets } from '../core/redact.js';

export function statusCode(error: unknown): number | undefined {
  return (error as { statusCode?: number }).statusCode;
}

export function engineMessage(error: unknown): string {
  const json = (error as { json?: { message?: string } }).json;
  return (json?.message ?? (error as Error).message ?? String(error)).trim();
}

/** Engine errors can echo the create body; literal env values from the config are redacted. */
export function agentDockerError(error: unknown, agent: ContainerAgent, action: string): UserError {
  const secrets = [...Object.values(agent.env), ...agent.passEnv.map((name) => process.env[name])];
  return new UserError(redactSecrets(`agent ${agent.id}: ${action} failed: ${engineMessage(error)}`, secrets));
}
