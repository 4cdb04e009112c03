// What an agent's container is doing, read from the engine's inspect data.
import type Docker from 'dockerode';
import { LABEL_AGENT } from './container-spec.js';

export interface ContainerState {
  name: string;
  id?: string;
  /** The agent id from the container's label. */
  agent?: string;
  /** The engine it runs on, as describeEngine() writes it. */
  engine?: string;
  status: 'running' | 'exited' | 'created' | 'gone';
  exitCode?: number;
  /** The container, or a process in it (the agent, run by docker exec), was killed for memory since it started. */
  oomKilled?: boolean;
  cpuset?: string;
  startedAt?: string;
  finishedAt?: string;
  /** What the agent's tab must say about its container (egress not filtered, egress proxy down). */
  warnings?: string[];
}

/** The state of an inspected container on the engine written `where`. */
export function containerState(info: Docker.ContainerInspectInfo, where: string): ContainerState {
  const state = info.State;
  const status: ContainerState['status'] =
    state.Running || state.Paused || state.Restarting ? 'running' : state.Status === 'created' ? 'created' : 'exited';
  return {
    name: info.Name.replace(/^\//, ''),
    id: info.Id,
    agent: info.Config.Labels?.[LABEL_AGENT],
    engine: where,
    status,
    exitCode: status === 'exited' ? state.ExitCode : undefined,
    oomKilled: state.OOMKilled || undefined,
    cpuset: info.HostConfig.CpusetCpus || undefined,
    startedAt: state.StartedAt,
    finishedAt: status === 'exited' ? state.FinishedAt : undefined,
  };
}
