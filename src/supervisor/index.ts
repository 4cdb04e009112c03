// The supervisor's public surface: what the CLI and the screen may import from src/supervisor/.
export { Supervisor, type AgentView, type SupervisorSnapshot, type SupervisorOptions } from './supervisor.js';
export { AgentSession, SCROLLBACK_LINES, type SpawnSpec, type ExitInfo, type Terminal } from './agent-session.js';
export { formatEvent, describeEvent, type SupervisorEvent, type SupervisorEventType } from './event-log.js';
export type { AgentStateName } from './agent-state.js';
