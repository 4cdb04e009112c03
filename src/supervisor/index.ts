export { Supervisor, type AgentView, type SupervisorSnapshot, type SupervisorOptions } from './supervisor.js';
export { AgentSession, SCROLLBACK_LINES, type SpawnSpec, type ExitInfo, type Terminal } from './agent-session.js';
export { formatEvent, describeEvent, type SupervisorEvent, type SupervisorEventType } from './event-log.js';
export type { AgentStateName } from './agent-state.js';
