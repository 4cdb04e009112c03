import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ResolvedAgent } from '../config.js';
import { workspacePaths } from '../../core/workspace-paths.js';
import type { SpawnSpec } from './agent-session.js';

/** The folder holding `ralph-tui.js`, found upwards from this module (src/ when run by vitest, dist/src/ when built). */
export function ralphBinDir(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const candidate = path.join(dir, 'bin');
    if (fs.existsSync(path.join(candidate, 'ralph-tui.js'))) return candidate;
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error('cannot find ralph-tui\'s bin/ folder above ' + fileURLToPath(import.meta.url));
    dir = parent;
  }
}

/**
 * A local agent: `sh -c <command>` in the workspace, pinned with `taskset -c` when the agent has a cpuset, with
 * ralph-tui on PATH (as `ralph-tui`, through a shim that runs this install with this Node) so agents can call
 * `ralph-tui queue claim` etc., and RALPH_WORKSPACE / RALPH_AGENT_ID telling them where and who they are.
 */
export function localSpawnSpec(
  agent: ResolvedAgent,
  workspace: string,
  shimDir: string,
  baseEnv: NodeJS.ProcessEnv = process.env,
  script = agent.command,
): SpawnSpec {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(baseEnv)) if (value !== undefined) env[key] = value;
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

/**
 * Writes `<dir>/ralph-tui`, a shell shim running this install's CLI with the supervisor's Node. bin/ralph-tui.js
 * itself is named with .js and starts with `#!/usr/bin/env node`, so putting bin/ on PATH would neither find
 * `ralph-tui` nor guarantee the same Node; the shim does both.
 */
export function writeRalphShim(dir: string): string {
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, 'ralph-tui');
  const script = `#!/bin/sh\nexec ${shellQuote(process.execPath)} ${shellQuote(path.join(ralphBinDir(), 'ralph-tui.js'))} "$@"\n`;
  const current = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '';
  if (current !== script) {
    fs.writeFileSync(`${file}.tmp`, script, { mode: 0o755 });
    fs.renameSync(`${file}.tmp`, file);
  }
  return dir;
}

/** One word for sh, whatever it contains. */
export function shellQuote(text: string): string {
  return `'${text.replace(/'/g, `'\\''`)}'`;
}
