// Option parsers shared by the protocol commands (queue, log): light, so a command's module loads only what its action needs.
import { UserError } from '../../core/errors.js';
import { parseJsonText } from '../../core/json-file.js';

/** A bad value names the flag. */
export function decimal(flag: string): (value: string) => number {
  return (value: string) => {
    const parsed = Number(value);
    if (value.trim() === '' || !Number.isFinite(parsed))
      throw new UserError(`${flag}: expected a number, got ${JSON.stringify(value)}`);
    return parsed;
  };
}

export function workerId(value: string): string {
  if (!/^W\d+$/.test(value))
    throw new UserError(`--worker: expected an agent id like W1, got ${JSON.stringify(value)}`);
  return value;
}

export function jsonObject(flag: string): (value: string) => Record<string, unknown> {
  return (value: string) => {
    const parsed = parseJsonText(value, flag);
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
      throw new UserError(`${flag}: expected a JSON object like '{"threshold_1src": 0.35}'`);
    return parsed as Record<string, unknown>;
  };
}

export function integer(flag: string): (value: string) => number {
  return (value: string) => {
    const parsed = Number(value);
    if (!Number.isInteger(parsed) || parsed < 0)
      throw new UserError(`${flag}: expected a whole number ≥ 0, got ${JSON.stringify(value)}`);
    return parsed;
  };
}
