/**
 * The built-in agents' pane output: one readable line per event, prefixed with the time and the agent id,
 * so a person watching the pane (or `up --headless`) can follow what the agent is doing.
 */
export type AgentLog = (message: string) => void;

export function createAgentLog(agentId: string, stream: NodeJS.WritableStream = process.stdout): AgentLog {
  return (message) => {
    const time = new Date().toISOString().slice(11, 19);
    stream.write(`${time} ${agentId} ${message}\n`);
  };
}
