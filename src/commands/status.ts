// The `ralph-tui status` command: a report of best score, queue, workers and STOP from the shared files.
import type { Command } from 'commander';
import { formatStatus, statusReport } from '../../orchestration/status-report.js';
import { plainDeep, plainText } from '../../core/plain-text.js';
import { redactSecrets } from '../../core/redact.js';
import { configuredTarget, workspaceSecrets } from '../config-fields.js';
import { requireWorkspace, workspaceOf } from './workspace-option.js';

export function registerStatus(program: Command): void {
  program
    .command('status')
    .description(
      'best score vs target, queue counts and next up, who runs what, workers, STOP (reads every file format)',
    )
    .option('--json', 'print the report as JSON')
    .action((options: { json?: boolean }, command: Command) => {
      const root = workspaceOf(command);
      requireWorkspace(root);
      // Everything in the report came from files agents write: no escape sequences, no secrets reach the terminal.
      const report = plainDeep(statusReport(root, configuredTarget(root)));
      const secrets = workspaceSecrets(root);
      process.stdout.write(
        redactSecrets(options.json ? `${JSON.stringify(report, null, 2)}\n` : formatStatus(report), secrets),
      );
      // A broken file is part of the report (and the rest is still shown); say so on stderr too.
      for (const error of report.errors)
        process.stderr.write(redactSecrets(`ralph-tui: ${plainText(error.message)}\n`, secrets));
    });
}
