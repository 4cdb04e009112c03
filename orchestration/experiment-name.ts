// The one rule for valid experiment names, shared by everything that takes one.
import { UserError } from '../core/errors.js';

/**
 * What an experiment may be called: it names the experiments/<name> folder and is passed to
 * `ralph-tui run`, so no spaces, slashes or leading dots (`../x` would leave the experiments folder).
 * One rule for everything that takes a name: `queue add`, `run`, tuning runs.
 */
export const EXPERIMENT_NAME = /^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/;

/** Throws one sentence naming the field when `name` is not a valid experiment name. */
export function assertExperimentName(name: string, where = 'experiment name'): void {
  if (!EXPERIMENT_NAME.test(name))
    throw new UserError(
      `${where} ${JSON.stringify(name)} is not valid: letters, digits, _ . - only, starting with a letter or digit (it names the experiments/<name> folder)`,
    );
}
