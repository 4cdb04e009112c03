// How the screen may start an experiment: at once (built-in estimator settings), after a person read and confirmed its command, or not at all.
import path from 'node:path';
import { plainText } from '../../core/plain-text.js';
import { resolveExperiment } from './experiment-definition.js';

/**
 * - run: no command (a built-in, or experiment.json settings for the built-in estimator): nothing from the
 *   workspace is executed.
 * - confirm: a command from the workspace (experiment.json or ralph.config.json) that would run on this machine
 *   unconfined; the screen shows it in full and runs it only after an explicit yes, and `ralph-tui run
 *   --expect-command` refuses it if it changed in between.
 * - refuse: a command that cannot be shown faithfully (control characters, too long to read).
 * - container: a command from the workspace of a Docker workspace: it runs at once in the experiment sandbox
 *   container (the runner's `sandbox`, see experiment-sandbox.ts), never on this host.
 * This is the one place that decides; the runner only executes what was decided.
 */
export type ExperimentLaunch =
  | { kind: 'run'; name: string }
  | { kind: 'container'; name: string }
  | { kind: 'confirm'; name: string; command: string; source: string }
  | { kind: 'refuse'; name: string; reason: string };

/** Longer than this is not something a person reads in a dialog before saying yes. */
export const MAX_CONFIRMED_COMMAND = 600;

/** `sandboxed`: experiments of this workspace run in a sandbox container (its agents run in Docker). */
export function experimentLaunch(root: string, name: string, opts: { sandboxed?: boolean } = {}): ExperimentLaunch {
  const experiment = resolveExperiment(root, name);
  if (!experiment.command) return { kind: 'run', name };
  if (opts.sandboxed) return { kind: 'container', name };
  const source = path.relative(root, experiment.file ?? root) || (experiment.file ?? root);
  const command = experiment.command;
  if (plainText(command) !== command) {
    return {
      kind: 'refuse',
      name,
      reason: `${source}: the command of ${name} contains control characters or escape sequences; it is not run from the screen`,
    };
  }
  if (command.length > MAX_CONFIRMED_COMMAND) {
    return {
      kind: 'refuse',
      name,
      reason: `${source}: the command of ${name} is ${command.length} characters, too long to confirm on the screen; read it and run \`ralph-tui run ${name}\` yourself`,
    };
  }
  return { kind: 'confirm', name, command, source };
}
