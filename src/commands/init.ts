// The `ralph-tui init` command: creates a workspace and prints the command that starts it.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Command } from 'commander';
import { UserError } from '../../core/errors.js';
import { connectEngine, ralphInstallDir } from '../../docker/index.js';
import { resolveAgents } from '../config.js';
import { initWorkspace } from '../init/init-workspace.js';
import { runsUnconfined } from '../supervisor/local-launch.js';
import { parseAgentKinds } from '../init/plan-agents.js';
import { wholeNumber } from './solver-options.js';
import { workspaceOf } from './workspace-option.js';

function runtime(value: string): 'local' | 'docker' {
  if (value !== 'local' && value !== 'docker')
    throw new UserError(`--runtime: expected local or docker, got ${JSON.stringify(value)}`);
  return value;
}

/** The folder as a person would type it: relative when it is below the current folder, else absolute. */
function displayPath(dir: string): string {
  const relative = path.relative(process.cwd(), dir);
  return relative === '' ? '.' : relative.startsWith('..') || path.isAbsolute(relative) ? dir : relative;
}

/** A shell word as typed: quoted only when it needs to be. */
function shellWord(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replaceAll("'", `'\\''`)}'`;
}

/**
 * The command that starts this workspace, as it works when typed here: `ralph-tui` only when that name on
 * PATH is this install (after `npm link`), `npm start` for the ralph-tui folder's own ./workspace, else
 * node with the path of this install's bin script.
 */
export function startCommand(root: string, env: NodeJS.ProcessEnv = process.env): string {
  const install = ralphInstallDir();
  const bin = path.join(install, 'bin', 'ralph-tui.js');
  if (path.resolve(process.cwd()) === install && root === path.join(install, 'workspace')) return 'npm start';
  const workspace = `--workspace ${shellWord(displayPath(root))}`;
  const onPath = (env.PATH ?? '').split(path.delimiter).some((dir) => {
    try {
      return dir !== '' && fs.realpathSync(path.join(dir, 'ralph-tui')) === fs.realpathSync(bin);
    } catch {
      return false;
    }
  });
  return onPath
    ? `ralph-tui ${workspace}`
    : `node ${shellWord(displayPath(bin))} ${workspace}   (or \`npm link\` once in ${shellWord(install)} to type \`ralph-tui\`)`;
}

/**
 * Claude agents run with --dangerously-skip-permissions: their place is a container. Without --runtime, init picks
 * Docker when an engine answers and otherwise stops and says so; running them on this machine is the user's
 * explicit choice (--runtime local).
 */
async function claudeRuntime(options: {
  agents?: ReturnType<typeof parseAgentKinds>;
  runtime?: 'local' | 'docker';
}): Promise<'local' | 'docker' | undefined> {
  const kinds = Array.isArray(options.agents) ? options.agents : options.agents ? [options.agents] : [];
  if (options.runtime || !kinds.includes('claude')) return options.runtime;
  try {
    await connectEngine();
  } catch (error) {
    throw new UserError(
      `--agents claude runs Claude Code with --dangerously-skip-permissions, which belongs in a container, but ${(error as Error).message.replace(/ — .*$/, '')}: start Docker and run init again, or pass --runtime local to run the agents unconfined on this machine`,
    );
  }
  return 'docker';
}

export function registerInit(program: Command): void {
  program
    .command('init')
    .description(
      'create a workspace: ralph.config.json, a synthetic dataset, the queue, coordination, prompts and ITERATION_LOG.md',
    )
    .argument('[dir]', 'workspace folder (default: --workspace, $RALPH_WORKSPACE or the current folder)')
    .option(
      '--agents <kinds>',
      'builtin or claude, or a comma list from W0 whose last kind repeats (claude,builtin)',
      parseAgentKinds,
    )
    .option('--runtime <runtime>', 'local (processes) or docker (one container per agent)', runtime)
    .option('--workers <n>', 'workers besides W0 (default: one per spare CPU, at least 1)', wholeNumber('--workers', 1))
    .option('--samples <n>', 'samples in data/synthetic.json (default 8)', wholeNumber('--samples', 1))
    .option('--seed <n>', 'seed of the synthetic dataset (default 1)', wholeNumber('--seed', 0))
    .option(
      '--force',
      'rewrite the configuration, dataset and prompts of an existing workspace (queue, log and results are kept)',
    )
    .action(
      async (
        dir: string | undefined,
        options: {
          agents?: ReturnType<typeof parseAgentKinds>;
          runtime?: 'local' | 'docker';
          workers?: number;
          samples?: number;
          seed?: number;
          force?: boolean;
        },
        command: Command,
      ) => {
        const root = dir ? path.resolve(dir) : workspaceOf(command);
        const report = await initWorkspace(root, { ...options, runtime: await claudeRuntime(options) });
        const workers = report.config.agents.filter((agent) => agent.role === 'worker').length;
        const spare = Math.max(1, os.availableParallelism() - 1);
        if (workers > spare) {
          // Accepted (the config may be meant for a bigger machine), but said: here they would share CPUs.
          process.stderr.write(
            `ralph-tui: warning: ${workers} workers on this ${os.availableParallelism()}-CPU machine: ${workers - spare} of them get no CPU of their own, and experiments running at once share the CPUs and take longer each (one worker per spare CPU is ${spare}; --workers ${spare})\n`,
          );
        }
        const agents = report.config.agents.map(
          (agent) => `${agent.id} ${agent.kind} ${agent.role}${agent.cpuset ? ` (cpuset ${agent.cpuset})` : ''}`,
        );
        process.stdout.write(
          `Initialised ${root}\n  runtime: ${report.config.runtime}\n  agents: ${agents.join(', ')}\n  files:\n${report.written.map((file) => `    ${path.relative(root, file)}`).join('\n')}\n` +
            `Start it with: ${startCommand(root)}\n`,
        );
        const unconfined = resolveAgents(report.config, root)
          .filter(runsUnconfined)
          .map((agent) => agent.id);
        if (unconfined.length)
          process.stdout.write(
            `Warning: ${unconfined.join(', ')} run with --dangerously-skip-permissions directly on this machine (runtime local): no container, no permission prompts, your files and keys within reach.\n`,
          );
      },
    );
}
