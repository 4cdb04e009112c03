// The `ralph-tui log` commands: append ITERATION_LOG.md entries in the established form, tail and follow the log.
import type { Command } from 'commander';
import { appendLogEntry, parseLogEntries } from '../../orchestration/log-entry.js';
import { LogFollower } from '../../orchestration/log-follower.js';
import { countLines, tailLines } from '../../orchestration/log-tail.js';
import { UserError } from '../../core/errors.js';
import { plainDeep, plainText } from '../../core/plain-text.js';
import { workspacePaths } from '../../core/workspace-paths.js';
import { decimal, workerId } from './option-parsers.js';
import { workspaceOf } from './workspace-option.js';

function count(value: string): number {
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 1)
    throw new UserError(`-n: expected a whole number ≥ 1, got ${JSON.stringify(value)}`);
  return parsed;
}

/**
 * Last `n` entries: read more lines from the end until enough headers are in view, then number them
 * as lines of the whole file (one more pass that only counts newlines).
 */
async function tailEntries(file: string, n: number) {
  for (let lines = n * 40; ; lines *= 4) {
    const tail = await tailLines(file, lines);
    const entries = parseLogEntries(tail.join('\n'));
    if (entries.length < n && tail.length >= lines) continue;
    const firstLine = (await countLines(file)) - tail.length + 1;
    return parseLogEntries(tail.join('\n'), firstLine).slice(-n);
  }
}

export function registerLog(program: Command): void {
  const log = program
    .command('log')
    .description('ITERATION_LOG.md: append an entry in the established format, tail it, follow it');

  log
    .command('append')
    .description(
      'append "### [W1] Experiment: <name> | Score: 1.1464 @ 51.2 min" with Config/Result/Key Finding lines (locked, one write)',
    )
    .requiredOption('--worker <id>', 'e.g. W1', workerId)
    .requiredOption('--experiment <name>', 'experiment name')
    .option('--score <score>', 'score', decimal('--score'))
    .option('--time <minutes>', 'projected minutes for 400 samples', decimal('--time'))
    .option('--config <text>', 'config (JSON or text)')
    .option('--result <text>', 'result')
    .option('--finding <text>', 'key finding')
    .option(
      '--flag <flag>',
      'header flag, e.g. "NEW BEST" or FAILED (repeatable)',
      (value: string, previous: string[] = []) => [...previous, value],
    )
    .action(
      async (
        options: {
          worker: string;
          experiment: string;
          score?: number;
          time?: number;
          config?: string;
          result?: string;
          finding?: string;
          flag?: string[];
        },
        command: Command,
      ) => {
        const text = await appendLogEntry(workspaceOf(command), {
          worker: options.worker,
          experiment: options.experiment,
          score: options.score,
          timeMin: options.time,
          config: options.config,
          result: options.result,
          finding: options.finding,
          flags: options.flag,
        });
        process.stdout.write(text.trimStart());
      },
    );

  log
    .command('tail')
    .description(
      'the last lines (or entries) of ITERATION_LOG.md, read from the end; -f follows appends, truncation and rotation',
    )
    .option('-n, --lines <n>', 'how many lines (or entries with --entries)', count, 20)
    .option('-f, --follow', 'keep printing appended lines until interrupted')
    .option('--entries', 'parsed entries instead of lines')
    .option('--json', 'with --entries: print them as JSON')
    .option('--poll', 'with -f: poll instead of file-system events (bind mounts without events)')
    .action(
      async (
        options: { lines: number; follow?: boolean; entries?: boolean; json?: boolean; poll?: boolean },
        command: Command,
      ) => {
        const file = workspacePaths(workspaceOf(command)).iterationLog;
        if (options.entries) {
          const entries = await tailEntries(file, options.lines);
          process.stdout.write(
            options.json
              ? `${JSON.stringify(plainDeep(entries), null, 2)}\n`
              : entries.map((entry) => `${plainText(entry.header)}\n`).join(''),
          );
        } else {
          const lines = await tailLines(file, options.lines);
          if (lines.length) process.stdout.write(`${lines.map((line) => plainText(line)).join('\n')}\n`);
        }
        if (!options.follow) return;
        const follower = new LogFollower(file, { poll: options.poll });
        follower.onLines((lines) => process.stdout.write(`${lines.map((line) => plainText(line)).join('\n')}\n`));
        follower.onReset(() =>
          process.stderr.write(`ralph-tui: ${file} was truncated or replaced; following it from its start\n`),
        );
        await follower.start();
        await new Promise<void>((resolve) => {
          const stop = () => resolve();
          process.once('SIGINT', stop);
          process.once('SIGTERM', stop);
        });
        await follower.close();
      },
    );
}
