// Reads and writes `.ralph/containers.json`: which container each agent has, on which engine.
import path from 'node:path';
import { z } from 'zod';
import { UserError, zodToUserError } from '../core/errors.js';
import { parseJsonText } from '../core/json-file.js';
import type { ContainerAgent } from './container-agent.js';
import { ensureDir, PRIVATE_FILE_MODE, readText, writeAtomicSync } from '../core/safe-fs.js';

/** One container this workspace created; kept so a container removed out of band shows as gone. */
export const ContainerRecord = z
  .object({
    name: z.string().min(1),
    id: z.string().min(1),
    /** The engine as describeEngine() wrote it (default socket, tcp://…, ssh://…). */
    engine: z.string().min(1),
    createdAt: z.string(),
  })
  .passthrough();
export type ContainerRecord = z.infer<typeof ContainerRecord>;

export const ContainerRecords = z
  .object({ version: z.literal(1), containers: z.record(z.string(), ContainerRecord) })
  .passthrough();
export type ContainerRecords = z.infer<typeof ContainerRecords>;

/** `.ralph/containers.json`; a broken file is an error naming it, never silently replaced. */
export function readContainerRecords(file: string): ContainerRecords {
  let text: string | null;
  try {
    text = readText(file, { maxBytes: RECORDS_MAX_BYTES });
  } catch (error) {
    if (error instanceof UserError) throw error;
    throw new UserError(`cannot read ${file}: ${(error as Error).message}`);
  }
  if (text === null) return { version: 1, containers: {} };
  const result = ContainerRecords.safeParse(parseJsonText(text, file));
  if (!result.success) throw zodToUserError(result.error, file);
  return result.data;
}

/** A record per agent: a few KB even for a large team. */
const RECORDS_MAX_BYTES = 1024 * 1024;

/** Atomic write (temp file + rename, never through a link), private to the supervisor, so a crash never leaves half a file. */
export function writeContainerRecords(file: string, records: ContainerRecords): void {
  ensureDir(path.dirname(file), { private: true });
  writeAtomicSync(file, `${JSON.stringify(records, null, 2)}\n`, { mode: PRIVATE_FILE_MODE });
}

/** The records file of one workspace: which container each agent has, on which engine. */
export class RecordedContainers {
  constructor(private readonly file: string) {}

  /** The agent's record if it names the agent's current container name on this engine. */
  get(agent: Pick<ContainerAgent, 'id' | 'containerName'>, where: string): ContainerRecord | undefined {
    const record = readContainerRecords(this.file).containers[agent.id];
    return record && record.name === agent.containerName && record.engine === where ? record : undefined;
  }

  remember(agent: Pick<ContainerAgent, 'id' | 'containerName'>, id: string, where: string): void {
    const records = readContainerRecords(this.file);
    const previous = records.containers[agent.id];
    if (previous?.id === id && previous.engine === where) return;
    records.containers[agent.id] = {
      name: agent.containerName,
      id,
      engine: where,
      createdAt: new Date().toISOString(),
    };
    writeContainerRecords(this.file, records);
  }

  forget(agentId: string): void {
    const records = readContainerRecords(this.file);
    if (!records.containers[agentId]) return;
    delete records.containers[agentId];
    writeContainerRecords(this.file, records);
  }
}
