// Everything Docker for ralph-tui, the surface other layers import: engines, agent containers, CPU planner, compose.
export type { ContainerAgent, EngineChoice } from './container-agent.js';
export {
  connectEngine,
  engineEnv,
  resolveEngine,
  describeEngine,
  DEFAULT_SOCKET,
  type EngineTarget,
} from './engine.js';
export { AgentContainers } from './agent-containers.js';
export type { ContainerState } from './container-state.js';
export { launchCommand, type AgentLaunch } from './agent-holder.js';
export { buildImage, imageBuildCommand, type ImageBuild } from './image-build.js';
export { workspaceUser, assertAgentCanWrite, prepareWorkspaceMounts } from './workspace-access.js';
export { computeStats, type ContainerStats, type RawStats } from './stats.js';
export {
  planCpusets,
  readCpuTopology,
  validateCpusets,
  parseCpuList,
  formatCpuList,
  type CpuTopology,
  type CpuPlan,
  type PlanOptions,
} from './cpu-planner.js';
export { composeFile, flatTopology, type ComposeOptions } from './compose.js';
export {
  agentContainerSpec,
  assertNoDockerSocket,
  parseMemory,
  credentialsVolumeName,
  defaultMemoryBytes,
  egressName,
  CONTAINER_WORKSPACE,
  CONTAINER_INSTALL,
  AGENT_HOME,
  CONTAINER_CLAUDE_CONFIG_DIR,
  CONTAINER_STATUS_FILE,
  LABEL_AGENT,
  LABEL_WORKSPACE,
  type ContainerSpec,
  type WorkspaceMounts,
} from './container-spec.js';
export { redactSecrets } from '../core/redact.js';
export { ralphInstallDir } from './install-dir.js';
export {
  experimentRunCommand,
  experimentContainerSpec,
  LABEL_EXPERIMENT,
  type ExperimentContainerOptions,
} from './experiment-container.js';
