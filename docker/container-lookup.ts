// Finds an agent's container on an engine: by its record, its name or its labels, never a stranger's.
import type Docker from 'dockerode';
import { UserError } from '../core/errors.js';
import { workspacePaths } from '../core/workspace-paths.js';
import type { ContainerAgent } from './container-agent.js';
import type { RecordedContainers } from './container-records.js';
import { LABEL_AGENT, LABEL_WORKSPACE } from './container-spec.js';
import { agentDockerError, engineMessage, statusCode } from './engine-errors.js';
import type { EngineHandle } from './engine-pool.js';

/** A container's inspect result, or null when the engine has none by that id or name. */
export async function inspectRaw(handle: EngineHandle, ref: string): Promise<Docker.ContainerInspectInfo | null> {
  try {
    return await handle.docker.getContainer(ref).inspect();
  } catch (error) {
    if (statusCode(error) === 404) return null;
    throw new UserError(`inspecting ${ref} on ${handle.where}: ${engineMessage(error)}`);
  }
}

/** The recorded container if it still exists, else one of ours under the agent's name, else one by label. */
export async function findAgentContainer(
  handle: EngineHandle,
  workspace: string,
  records: RecordedContainers,
  agent: ContainerAgent,
): Promise<Docker.ContainerInspectInfo | null> {
  const record = records.get(agent, handle.where);
  if (record) {
    const byId = await inspectRaw(handle, record.id);
    if (byId) {
      // The records file is data: a record naming someone else's container must not get it stopped or removed.
      const labels = byId.Config.Labels ?? {};
      if (labels[LABEL_WORKSPACE] !== workspace || labels[LABEL_AGENT] !== agent.id) {
        throw new UserError(
          `${workspacePaths(workspace).containers} names container ${byId.Name.replace(/^\//, '')} for agent ${agent.id}, but it is not this workspace's ${agent.id} container — refusing to touch it (delete that entry)`,
        );
      }
      return byId;
    }
  }
  const byName = await inspectRaw(handle, agent.containerName);
  if (
    byName &&
    byName.Config.Labels?.[LABEL_WORKSPACE] === workspace &&
    byName.Config.Labels?.[LABEL_AGENT] === agent.id
  )
    return byName;
  return findByLabel(handle, workspace, agent);
}

/** This workspace's container for the agent, whatever its name. */
export async function findByLabel(
  handle: EngineHandle,
  workspace: string,
  agent: ContainerAgent,
): Promise<Docker.ContainerInspectInfo | null> {
  const found = await handle.docker.listContainers({
    all: true,
    filters: { label: [`${LABEL_WORKSPACE}=${workspace}`, `${LABEL_AGENT}=${agent.id}`] },
  });
  return found[0] ? inspectRaw(handle, found[0].Id) : null;
}

/** Removes a container by id, forcefully; one already gone is fine. */
export async function removeById(handle: EngineHandle, id: string, agent: ContainerAgent): Promise<void> {
  try {
    await handle.docker.getContainer(id).remove({ force: true });
  } catch (error) {
    if (statusCode(error) !== 404) throw agentDockerError(error, agent, `removing ${agent.containerName}`);
  }
}
