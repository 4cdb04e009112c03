// Where the workspace is and every path of its layout, in one place.
import path from 'node:path';
import { registerWorkspaceRoot } from './safe-fs.js';

/** The workspace folder: --workspace, else RALPH_WORKSPACE, else the current folder. */
export function resolveWorkspace(option?: string): string {
  return path.resolve(option ?? process.env.RALPH_WORKSPACE ?? process.cwd());
}

/** Every path of the workspace layout (see ARCHITECTURE.md), in one place. */
export function workspacePaths(root: string) {
  // Every path below is agent-reachable or supervisor-private: the safe file layer keeps them inside the root.
  registerWorkspaceRoot(root);
  const shared = path.join(root, 'orchestration', 'shared');
  const ralph = path.join(root, '.ralph');
  return {
    root,
    config: path.join(root, 'ralph.config.json'),
    iterationLog: path.join(root, 'ITERATION_LOG.md'),
    shared,
    coordination: path.join(shared, 'coordination.json'),
    queue: path.join(shared, 'experiment_queue.json'),
    legacyQueue: path.join(shared, 'queue.json'),
    stop: path.join(shared, 'STOP'),
    /** proper-lockfile lock directories for read-modify-write of the shared files and the log. */
    locks: path.join(shared, '.locks'),
    prompt: (agentId: string) => path.join(shared, `prompt_${agentId}.txt`),
    workerState: (agentId: string) => path.join(shared, `state_${agentId}.json`),
    experiments: path.join(root, 'experiments'),
    experimentDir: (name: string) => path.join(root, 'experiments', name),
    data: path.join(root, 'data'),
    mlruns: path.join(root, 'mlruns'),
    ralph,
    transcripts: path.join(ralph, 'transcripts'),
    transcript: (agentId: string) => path.join(ralph, 'transcripts', `${agentId}.log`),
    events: path.join(ralph, 'events.jsonl'),
    runs: path.join(ralph, 'runs'),
    /** Live status files of `ralph-tui run`, one per run (whoever started it), read by the screen. */
    progress: path.join(ralph, 'progress'),
    progressFile: (runId: string) => path.join(ralph, 'progress', `${runId}.json`),
    /**
     * Each agent's own folder, the only supervisor-side place it may write: a container sees just its own (at a
     * fixed path, RALPH_STATUS_DIR); its Claude Code hooks write the status file there (RALPH_STATUS_FILE).
     */
    agentDir: (agentId: string) => path.join(ralph, 'agents', agentId),
    agentStatus: (agentId: string) => path.join(ralph, 'agents', agentId, 'status.json'),
    /** The folder of the agents' folders (watched by the supervisor for status files). */
    agentsDir: path.join(ralph, 'agents'),
    /** The `ralph-tui` shim put on local agents' PATH. */
    ralphBin: path.join(ralph, 'bin'),
    lock: path.join(ralph, 'supervisor.lock'),
    /** The supervisor service's control socket (0600): screens attach through it. */
    serviceSocket: path.join(ralph, 'service.sock'),
    /** What a background service prints (its events, its last error). */
    serviceLog: path.join(ralph, 'service.log'),
    /** Local Claude agents with a conversation under way, for `claude --continue` after the supervisor vanished. */
    conversations: path.join(ralph, 'conversations.json'),
    crashLog: path.join(ralph, 'crash.log'),
    /** Agent containers this workspace created (name, id, engine), so a vanished one shows as gone. */
    containers: path.join(ralph, 'containers.json'),
  };
}

export type WorkspacePaths = ReturnType<typeof workspacePaths>;
