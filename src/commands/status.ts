import type { Command } from 'commander';
import { formatStatus, statusReport } from '../../orchestration/status-report.js';
import { configuredTarget } from '../config-fields.js';
import { requireWorkspace, workspaceOf } from './workspace-option.js';

export function registerStatus(program: Command): void {
  program
    .command('status')
    .description('best score vs target, queue counts and next up, who runs what, workers, STOP (reads every file format)')
    .option('--json', 'print the report as JSON')
    .action((options: { json?: boolean }, command: Command) => {
      const root = workspaceOf(command);
      requireWorkspace(root);
      const report = statusReport(root, configuredTarget(root));
      process.stdout.write(options.json ? `${JSON.stringify(report, null, 2)}\n` : formatStatus(report));
      // A broken file is part of the report (and the rest is still shown); say so on stderr too.
      for (const error of report.errors) process.stderr.write(`ralph-tui: ${error.message}\n`);
    });
}
