// Every container of a workspace at once: list them, and `ralph-tui down` (stop and remove, with their volumes).
import { UserError } from '../core/errors.js';
import type { RecordedContainers } from './container-records.js';
import { LABEL_AGENT, LABEL_WORKSPACE } from './container-spec.js';
import { containerState, type ContainerState } from './container-state.js';
import { inspectRaw } from './container-lookup.js';
import { LABEL_EGRESS_FOR } from './egress-sidecar.js';
import { engineMessage, statusCode } from './engine-errors.js';
import type { EngineHandle } from './engine-pool.js';

/** The workspace's agent containers (by label) on the given engines, egress proxies left out. */
export async function listWorkspaceContainers(handles: EngineHandle[], workspace: string): Promise<ContainerState[]> {
  const states: ContainerState[] = [];
  for (const handle of handles) {
    const found = await handle.docker.listContainers({
      all: true,
      filters: { label: [`${LABEL_WORKSPACE}=${workspace}`] },
    });
    for (const summary of found) {
      if (summary.Labels[LABEL_EGRESS_FOR]) continue;
      const info = await inspectRaw(handle, summary.Id);
      if (info) states.push(containerState(info, handle.where));
    }
  }
  return states;
}

/**
 * `ralph-tui down`: stop and remove every container of the workspace on the given engines; with `volumes`, also
 * the credential volumes (the agents' logins). Returns the agents' containers removed, by name.
 */
export async function downWorkspace(
  handles: EngineHandle[],
  workspace: string,
  records: RecordedContainers,
  timeoutSeconds: number,
  volumes: boolean,
): Promise<ContainerState[]> {
  const removed: ContainerState[] = [];
  for (const handle of handles) {
    const found = await handle.docker.listContainers({
      all: true,
      filters: { label: [`${LABEL_WORKSPACE}=${workspace}`] },
    });
    // In parallel: each agent gets its own stop timeout instead of waiting behind the others'.
    const done = await Promise.all(
      found.map(async (summary): Promise<ContainerState> => {
        const container = handle.docker.getContainer(summary.Id);
        const name = (summary.Names[0] ?? summary.Id).replace(/^\//, '');
        if (summary.State === 'running') await container.stop({ t: timeoutSeconds }).catch(() => undefined);
        await container.remove({ force: true }).catch((error: unknown) => {
          if (statusCode(error) !== 404)
            throw new UserError(`removing ${name} on ${handle.where}: ${engineMessage(error)}`);
        });
        return { name, id: summary.Id, agent: summary.Labels[LABEL_AGENT], engine: handle.where, status: 'gone' };
      }),
    );
    for (const state of done) if (state.agent) records.forget(state.agent);
    // The agents' egress proxies go too, but the list names the agents' containers.
    removed.push(...done.filter((state) => state.agent).sort((a, b) => a.name.localeCompare(b.name)));
    // The egress sockets' volumes hold nothing worth keeping; the logins go only when asked.
    await removeVolumes(handle, workspace, volumes ? [] : [LABEL_EGRESS_FOR]);
  }
  return removed;
}

/** The workspace's volumes (those carrying every label in `alsoLabelled`). */
async function removeVolumes(handle: EngineHandle, workspace: string, alsoLabelled: string[]): Promise<void> {
  const { Volumes } = await handle.docker.listVolumes({
    filters: { label: [`${LABEL_WORKSPACE}=${workspace}`, ...alsoLabelled] },
  });
  for (const volume of Volumes ?? []) {
    await handle.docker
      .getVolume(volume.Name)
      .remove()
      .catch((error: unknown) => {
        if (statusCode(error) !== 404)
          throw new UserError(`removing volume ${volume.Name} on ${handle.where}: ${engineMessage(error)}`);
      });
  }
}
