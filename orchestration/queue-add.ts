// Adding experiments to the queue (created when the workspace has none yet), each with a unique id.
import { UserError } from '../core/errors.js';
import { assertExperimentName } from './experiment-name.js';
import { normaliseEntry, type QueueEntry } from './queue-view.js';
import { editQueue, now, withSharedLock, type Json } from './shared-edit.js';

export interface NewExperiment {
  name: string;
  family?: string;
  priority?: number;
  description?: string;
  hypothesis?: string;
  config?: Record<string, unknown>;
  /** Optional explicit id; by default EXP_<NAME>_001 (the original convention), numbered to be unique. */
  id?: string;
}

export const DEFAULT_PRIORITY = 3;

function newId(name: string, taken: Set<string>): string {
  const stem = `EXP_${
    name
      .toUpperCase()
      .replace(/[^A-Z0-9]+/g, '_')
      .replace(/^_|_$/g, '') || 'EXPERIMENT'
  }`;
  for (let n = 1; ; n++) {
    const id = `${stem}_${String(n).padStart(3, '0')}`;
    if (!taken.has(id)) return id;
  }
}

/** Adds experiments (status available). Creates experiment_queue.json when the workspace has no queue yet. */
export async function addExperiments(root: string, entries: NewExperiment[]): Promise<QueueEntry[]> {
  for (const [index, entry] of entries.entries()) {
    if (!entry.name || typeof entry.name !== 'string')
      throw new UserError(`experiment ${index + 1}: field name: expected a non-empty name`);
    assertExperimentName(entry.name, entries.length > 1 ? `experiment ${index + 1}: name` : 'experiment name');
  }
  return withSharedLock(root, () =>
    editQueue(
      root,
      (list, layout) => {
        const taken = new Set(list.map((raw) => String(raw.id ?? raw.name)));
        return entries.map((input) => {
          if (input.id && taken.has(input.id)) throw new UserError(`experiment id ${input.id} is already in the queue`);
          const id = input.id ?? newId(input.name, taken);
          taken.add(id);
          const raw: Json = { id, priority: input.priority ?? DEFAULT_PRIORITY };
          if (input.family) raw.family = input.family;
          raw.status = 'available';
          raw.name = input.name;
          if (input.description) raw.description = input.description;
          if (input.hypothesis) raw.hypothesis = input.hypothesis;
          if (input.config) raw.config = input.config;
          if (layout.format !== 'v3') raw[layout.workerKey] = null;
          raw.created_at = now();
          list.push(raw);
          return normaliseEntry(raw);
        });
      },
      true,
    ),
  );
}
