import fs from 'node:fs';
import path from 'node:path';
import writeFileAtomic from 'write-file-atomic';
import { z } from 'zod';
import { UserError, zodToUserError } from '../core/errors.js';
import { parseJsonText } from '../core/json-file.js';
import type { ContainerAgent } from './container-agent.js';

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

export const ContainerRecords = z.object({ version: z.literal(1), containers: z.record(z.string(), ContainerRecord) }).passthrough();
export type ContainerRecords = z.infer<typeof ContainerRecords>;

/** `.ralph/containers.json`; a broken file is an error naming it, never silently replaced. */
export function readContainerRecords(file: string): ContainerRecords {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { version: 1, containers: {} };
    throw new UserError(`cannot read ${file}: ${(error as Error).message}`);
  }
  const result = ContainerRecords.safeParse(parseJsonText(text, file));
  if (!result.success) throw zodToUserError(result.error, file);
  return result.data;
}

/** Atomic write (temp file + rename), so a crash never leaves half a file. */
export function writeContainerRecords(file: string, records: ContainerRecords): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  writeFileAtomic.sync(file, `${JSON.stringify(records, null, 2)}\n`);
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
    records.containers[agent.id] = { name: agent.containerName, id, engine: where, createdAt: new Date().toISOString() };
    writeContainerRecords(this.file, records);
  }

  forget(agentId: string): void {
    const records = readContainerRecords(this.file);
    if (!records.containers[agentId]) return;
    delete records.containers[agentId];
    writeContainerRecords(this.file, records);
  }
}
