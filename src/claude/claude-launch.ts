// How an agent that runs the Claude CLI is started: its own config folder, its status file, setup, then the CLI.
import path from 'node:path';
import { shellQuote } from '../supervisor/local-launch.js';

/** The program word of a command that runs the Claude CLI: `claude`, or a path to it. */
const CLAUDE_PROGRAM = /^\s*(\S*\/)?claude(?=\s|$)/;

/** An agent runs the Claude CLI when its kind is claude and its command's program is `claude` (a path to it counts). */
export function runsClaudeCli(agent: { kind?: string; command: string }): boolean {
  return (agent.kind ?? 'claude') === 'claude' && CLAUDE_PROGRAM.test(agent.command);
}

/**
 * Environment every Claude agent gets, unless its config sets the name itself. Measured with strace on Claude Code
 * 2.1.332: without these two the CLI looks up registry.npmjs.org (auto-updater) and raw.githubusercontent.com
 * (changelog) at start; with them it only talks to ANTHROPIC_BASE_URL. An unattended agent should not update
 * itself in the middle of a run.
 */
export const CLAUDE_QUIET_ENV: Record<string, string> = {
  DISABLE_AUTOUPDATER: '1',
  CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1',
};

export interface ClaudeLaunch {
  /** The agent's CLAUDE_CONFIG_DIR, as seen by the agent (a folder locally, its credentials volume in a container). */
  configDir: string;
  /** Where its hooks write its state, as seen by the agent. */
  statusFile: string;
  /** Answer the first-run screens for it (`claudeOnboarding: "seed"`). */
  onboarding: boolean;
  /** Environment the agent's config sets explicitly: these win over the defaults here. */
  configured: Record<string, string>;
  /**
   * Resume the most recent conversation of this config folder in this folder (`claude --continue`) instead of
   * starting a new one: the agent's process died with the supervisor in the middle of a conversation.
   */
  continues?: boolean;
}

/**
 * The shell text that starts a Claude agent, the same locally and in a container: export its config folder, status
 * file and quiet settings, let `ralph-tui claude-setup` seed the config (hooks, onboarding answers, login check),
 * then exec the CLI. A failed setup never keeps the agent from starting; the CLI then shows its own screens.
 */
export function claudeLaunchScript(command: string, launch: ClaudeLaunch): string {
  const env: Record<string, string> = {
    ...CLAUDE_QUIET_ENV,
    CLAUDE_CONFIG_DIR: launch.configDir,
    RALPH_STATUS_FILE: launch.statusFile,
  };
  const exports = Object.entries(env)
    .filter(([name]) => !(name in launch.configured))
    .map(([name, value]) => `export ${name}=${shellQuote(value)}`);
  const setup = `ralph-tui claude-setup${launch.onboarding ? '' : ' --no-onboarding'}`;
  // Right after the program, so it is the CLI's option whatever else the command line holds (a redirection, `&& …`).
  const cli = launch.continues ? command.replace(CLAUDE_PROGRAM, '$& --continue') : command;
  return [...exports, setup, `exec ${cli}`].join('; ');
}

/** The config folder of a local Claude agent: private to the agent, so seeding never touches the user's own ~/.claude. */
export function localClaudeConfigDir(ralphDir: string, agentId: string): string {
  return path.join(ralphDir, 'claude', agentId);
}
