// The `ralph-tui queue` commands agents and people use on the experiment queue: list, claim, complete, fail, add.
import { readText } from '../../core/safe-fs.js';
import type { Command } from 'commander';
import { readCoordination } from '../../orchestration/coordination.js';
import { addExperiments, type NewExperiment } from '../../orchestration/queue-add.js';
import { claimById, claimNext, completeExperiment, failExperiment } from '../../orchestration/queue-claims.js';
import { claimedBy, nextUp, readQueue, type QueueEntry } from '../../orchestration/queue-view.js';
import { UserError } from '../../core/errors.js';
import { parseJsonText } from '../../core/json-file.js';
import { configuredBudgetMinutes } from '../config-fields.js';
import { decimal, integer, jsonObject, workerId } from './option-parsers.js';
import { workspaceOf } from './workspace-option.js';
import { plainDeep, plainText } from '../../core/plain-text.js';

/** Queue entries are agent-written: printed without escape sequences or control characters. */
function print(json: boolean | undefined, value: unknown, text: string): void {
  process.stdout.write(json ? `${JSON.stringify(plainDeep(value), null, 2)}\n` : plainText(text, { multiline: true }));
}

function describeEntry(entry: QueueEntry): string {
  const family = entry.family ? ` [${entry.family}]` : '';
  const lines = [
    `${entry.id} ${entry.name !== entry.id ? `${entry.name} ` : ''}(P${entry.priority}${family}, ${entry.status}${entry.worker ? ` by ${entry.worker}` : ''})`,
  ];
  if (entry.description) lines.push(`  description: ${entry.description}`);
  if (entry.hypothesis) lines.push(`  hypothesis: ${entry.hypothesis}`);
  if (entry.config) lines.push(`  config: ${JSON.stringify(entry.config)}`);
  return `${lines.join('\n')}\n`;
}

const STATUSES = ['available', 'claimed', 'running', 'completed', 'failed', 'aborted', 'archived'];

export function registerQueue(program: Command): void {
  const queue = program
    .command('queue')
    .description(
      'the experiment queue: list, claim, complete, fail, add (locked, atomic; never edit the JSON by hand)',
    );

  queue
    .command('list')
    .description('entries in claim order (available, then claimed/running); --all for every entry')
    .option('--status <list>', `only these statuses, comma-separated (${STATUSES.join(', ')})`)
    .option('--worker <id>', 'only entries of this worker', workerId)
    .option('--all', 'every entry in file order, including completed and archived')
    .option('--json', 'print {format, counts, entries} as JSON')
    .action((options: { status?: string; worker?: string; all?: boolean; json?: boolean }, command: Command) => {
      const view = readQueue(workspaceOf(command));
      const wanted = options.status?.split(',').map((status) => status.trim());
      for (const status of wanted ?? [])
        if (!STATUSES.includes(status))
          throw new UserError(`--status: unknown status "${status}" (expected ${STATUSES.join(', ')})`);
      let entries =
        options.all || wanted
          ? view.entries
          : [
              ...nextUp(view),
              ...view.entries.filter((entry) => entry.status === 'claimed' || entry.status === 'running'),
            ];
      if (wanted) entries = entries.filter((entry) => wanted.includes(entry.status));
      if (options.worker) entries = entries.filter((entry) => entry.worker === options.worker);
      const c = view.counts;
      const header = `${c.available} available · ${c.claimed} claimed · ${c.running} running · ${c.completed} completed · ${c.failed} failed · ${c.aborted} aborted · ${c.archived} archived\n`;
      print(
        options.json,
        { format: view.format, file: view.file, counts: view.counts, entries },
        header + entries.map(describeEntry).join(''),
      );
    });

  queue
    .command('claim')
    .description(
      'claim the next available experiment (lowest priority number; exit 3 when none) or --id one; a worker that already holds one gets it back',
    )
    .requiredOption('--worker <id>', 'the claiming worker, e.g. W1', workerId)
    .option('--id <id>', 'claim this experiment instead of the next one (exit 3 if somebody else has it)')
    .option('--json', 'print the entry as JSON')
    .action(async (options: { worker: string; id?: string; json?: boolean }, command: Command) => {
      const root = workspaceOf(command);
      const held = options.id ? null : claimedBy(root, options.worker);
      const entry =
        held ??
        (options.id ? await claimById(root, options.id, options.worker) : await claimNext(root, options.worker));
      print(
        options.json,
        { ...entry, resumed: held !== null },
        `${held ? `${options.worker} already holds` : `${options.worker} claimed`} ${describeEntry(entry)}`,
      );
    });

  queue
    .command('complete <id>')
    .description(
      'record a finished experiment: score, time, result, finding; frees the worker; a new best is recorded only in budget',
    )
    .requiredOption('--worker <id>', 'the worker that ran it', workerId)
    .requiredOption('--score <score>', 'the score (higher is better)', decimal('--score'))
    .requiredOption('--time <minutes>', 'projected minutes for 400 samples', decimal('--time'))
    .option('--result <text>', 'e.g. SUCCESS, FAILED - slower, OVER_BUDGET')
    .option('--finding <text>', 'one sentence the team should know')
    .option('--in-budget', 'count it as in budget regardless of --time')
    .option('--over-budget', 'count it as over budget regardless of --time')
    .option('--json', 'print {entry, newBest, inBudget, previousBest} as JSON')
    .action(
      async (
        id: string,
        options: {
          worker: string;
          score: number;
          time: number;
          result?: string;
          finding?: string;
          inBudget?: boolean;
          overBudget?: boolean;
          json?: boolean;
        },
        command: Command,
      ) => {
        const root = workspaceOf(command);
        if (options.inBudget && options.overBudget)
          throw new UserError('--in-budget and --over-budget contradict each other');
        const budget = configuredBudgetMinutes(root);
        const inBudget = options.inBudget ? true : options.overBudget ? false : options.time <= budget;
        const previousBest = readCoordination(root).best;
        const { newBest, entry } = await completeExperiment(root, id, {
          worker: options.worker,
          score: options.score,
          timeMin: options.time,
          result: options.result,
          finding: options.finding,
          inBudget,
        });
        const verdict = newBest
          ? ` — NEW BEST${previousBest ? ` (was ${previousBest.score.toFixed(4)})` : ''}`
          : inBudget
            ? ''
            : ` — over the ${budget}-minute budget, not eligible as best`;
        print(
          options.json,
          { entry, newBest, inBudget, previousBest },
          `${entry.id} completed by ${options.worker}: ${options.score.toFixed(4)} @ ${options.time.toFixed(1)} min${verdict}\n`,
        );
      },
    );

  queue
    .command('fail <id>')
    .description(
      'mark an experiment failed (it crashed or cannot work) or --abort (stopped on purpose); frees the worker',
    )
    .requiredOption('--worker <id>', 'the worker that held it', workerId)
    .requiredOption('--reason <text>', 'why, in one sentence')
    .option('--abort', 'aborted rather than failed')
    .option('--json', 'print the entry as JSON')
    .action(
      async (
        id: string,
        options: { worker: string; reason: string; abort?: boolean; json?: boolean },
        command: Command,
      ) => {
        const entry = await failExperiment(workspaceOf(command), id, {
          worker: options.worker,
          reason: options.reason,
          status: options.abort ? 'aborted' : 'failed',
        });
        print(options.json, entry, `${entry.id} ${entry.status} by ${options.worker}: ${options.reason}\n`);
      },
    );

  queue
    .command('add')
    .description('add experiments (status available); creates the queue file if there is none')
    .option('--name <name>', 'snake_case name (also the experiments/<name> folder)')
    .option('--family <family>', 'algorithm family, e.g. polish_v6')
    .option('--priority <n>', 'lower runs first; 99 archives (default 3)', integer('--priority'))
    .option('--description <text>', 'what to try')
    .option('--hypothesis <text>', 'why it should help')
    .option('--config <json>', 'experiment config as a JSON object', jsonObject('--config'))
    .option('--id <id>', 'explicit id (default EXP_<NAME>_001, numbered to be unique)')
    .option(
      '--file <file>',
      'add every entry of a JSON file (an array of {name, family, priority, description, hypothesis, config})',
    )
    .option('--json', 'print the added entries as JSON')
    .action(async (options: NewExperiment & { file?: string; json?: boolean }, command: Command) => {
      let entries: NewExperiment[];
      if (options.file) {
        if (options.name) throw new UserError('give either --file or --name, not both');
        let text: string | null;
        try {
          text = readText(options.file);
        } catch (error) {
          if (error instanceof UserError) throw error;
          throw new UserError(`${options.file}: cannot read (${(error as NodeJS.ErrnoException).code})`);
        }
        if (text === null) throw new UserError(`${options.file}: cannot read (ENOENT)`);
        const parsed = parseJsonText(text, options.file);
        entries = (Array.isArray(parsed) ? parsed : [parsed]) as NewExperiment[];
      } else {
        if (!options.name) throw new UserError('queue add needs --name (or --file with a list of entries)');
        const { name, family, priority, description, hypothesis, config, id } = options;
        entries = [{ name, family, priority, description, hypothesis, config, id }];
      }
      const added = await addExperiments(workspaceOf(command), entries);
      print(options.json, added, added.map((entry) => `added ${describeEntry(entry)}`).join(''));
    });
}
