// Launches local agents: the spawn spec, CPU pinning, and the `ralph-tui` shim on their PATH.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureDir, exists, readText, writeAtomicSync } from '../../core/safe-fs.js';
import { shellQuote } from '../../core/shell-quote.js';
import { childEnvironment } from '../child-env.js';
import type { ResolvedAgent } from '../config.js';
import { workspacePaths } from '../../core/workspace-paths.js';
import type { SpawnSpec } from './agent-session.js';

// Re-exported for the modules that quote with the local launcher's helper.
export { shellQuote };

/** The folder holding `ralph-tui.js`, found upwards from this module (src/ when run by vitest, dist/src/ when built). */
export function ralphBinDir(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const candidate = path.join(dir, 'bin');
    if (exists(path.join(candidate, 'ralph-tui.js'))) return candidate;
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error("cannot find ralph-tui's bin/ folder above " + fileURLToPath(import.meta.url));
    dir = parent;
  }
}

/**
 * A local agent: `sh -c <command>` in the workspace, pinned with `taskset -c` when the agent has a cpuset, with
 * ralph-tui on PATH (as `ralph-tui`, through a shim that runs this install with this Node) so agents can call
 * `ralph-tui queue claim` etc., and RALPH_WORKSPACE / RALPH_AGENT_ID telling them where and who they are. The
 * host environment is passed through an allow-list (childEnvironment): passEnv names yes, anything else no.
 */
export function localSpawnSpec(
  agent: ResolvedAgent,
  workspace: string,
  shimDir: string,
  baseEnv: NodeJS.ProcessEnv = process.env,
  script = agent.command,
): SpawnSpec {
  const env = childEnvironment(agent.passEnv, baseEnv);
  Object.assign(env, agent.env);
  env.PATH = [shimDir, env.PATH].filter(Boolean).join(path.delimiter);
  env.RALPH_WORKSPACE = workspace;
  env.RALPH_AGENT_ID = agent.id;
  const paths = workspacePaths(workspace);
  env.RALPH_STATUS_DIR = paths.agentDir(agent.id);
  env.RALPH_STATUS_FILE = paths.agentStatus(agent.id);
  env.TERM = 'xterm-256color';
  const shell = ['sh', '-c', script];
  const argv = agent.cpuset ? ['taskset', '-c', agent.cpuset, ...shell] : shell;
  return { file: argv[0], args: argv.slice(1), cwd: workspace, env };
}

/** Claude Code's flags that turn its permission prompts off (bypass mode). */
const BYPASS = /--dangerously-skip-permissions\b|--permission-mode[= ]+bypassPermissions\b/;

/** A local agent whose command bypasses permission prompts: it acts on this machine with no container and no questions. */
export function runsUnconfined(agent: Pick<ResolvedAgent, 'runtime' | 'command'>): boolean {
  return agent.runtime === 'local' && BYPASS.test(agent.command);
}

/**
 * Writes `<dir>/ralph-tui`, a shell shim running this install's CLI with the supervisor's Node. bin/ralph-tui.js
 * itself is named with .js and starts with `#!/usr/bin/env node`, so putting bin/ on PATH would neither find
 * `ralph-tui` nor guarantee the same Node; the shim does both.
 */
export function writeRalphShim(dir: string): string {
  ensureDir(dir, { private: true });
  const file = path.join(dir, 'ralph-tui');
  const script = `#!/bin/sh\nexec ${shellQuote(process.execPath)} ${shellQuote(path.join(ralphBinDir(), 'ralph-tui.js'))} "$@"\n`;
  let current: string | null = null;
  try {
    current = readText(file, { maxBytes: 4096 });
  } catch {
    // A link, pipe or huge file in its place: replaced below.
  }
  // Rewritten on every start unless identical: a replaced wrapper does not survive a restart of the supervisor.
  if (current !== script) writeAtomicSync(file, script, { mode: 0o700 });
  return dir;
}
