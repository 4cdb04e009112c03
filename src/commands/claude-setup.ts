// `ralph-tui claude-setup`: run by a Claude agent's launch script, in the agent's own environment, before the CLI starts.
import fs from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { setupClaudeConfig } from '../claude/claude-config.js';
import { UserError } from '../../core/errors.js';

/** What a person is told in the agent's pane when it has no key and no login yet (the CLI's own /login keeps it). */
export const NEEDS_LOGIN_HINT =
  'needs a Claude login: attach (Enter on its tab), type /login and sign in once; the login is kept in its config folder across restarts';

export function registerClaudeSetup(program: Command): void {
  program
    .command('claude-setup')
    .description(
      "prepare this agent's Claude Code config (state hooks; first-run answers unless --no-onboarding); run by the agent's launch script",
    )
    .option('--no-onboarding', 'install the hooks only; leave the first-run screens to a person')
    .action((options: { onboarding: boolean }) => {
      const configDir = process.env.CLAUDE_CONFIG_DIR;
      if (!configDir)
        throw new UserError("claude-setup: CLAUDE_CONFIG_DIR is not set (it is set by the agent's launch script)");
      const result = setupClaudeConfig({
        configDir,
        workspace: process.cwd(),
        onboarding: options.onboarding,
        apiKey: process.env.ANTHROPIC_API_KEY || undefined,
        oauthToken: process.env.CLAUDE_CODE_OAUTH_TOKEN || undefined,
      });
      const id = process.env.RALPH_AGENT_ID ?? 'this agent';
      for (const file of result.skipped)
        process.stderr.write(`[ralph-tui] ${file} is not a JSON object: left as it is\n`);
      if (result.needsLogin) {
        process.stdout.write(`\x1b[1;33m[ralph-tui] ${id} ${NEEDS_LOGIN_HINT}\x1b[0m\n`);
        const statusFile = process.env.RALPH_STATUS_FILE;
        if (statusFile) reportNeedsLogin(statusFile);
      }
    });
}

/** The same report a hook writes, so the supervisor holds the prompt and the tab says "needs login". */
function reportNeedsLogin(statusFile: string): void {
  fs.mkdirSync(path.dirname(statusFile), { recursive: true });
  fs.writeFileSync(`${statusFile}.tmp`, JSON.stringify({ state: 'needs-login', time: Date.now() }));
  fs.renameSync(`${statusFile}.tmp`, statusFile);
}
