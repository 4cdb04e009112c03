// The `ralph-tui prompts` command: rewrites the agents' prompt files with the current best.
import type { Command } from 'commander';
import { writePrompts } from '../../orchestration/prompts/write-prompts.js';
import { loadConfig, resolveAgents } from '../config.js';
import { UserError } from '../../core/errors.js';
import { workspaceOf } from './workspace-option.js';

export function registerPrompts(program: Command): void {
  program
    .command('prompts')
    .description(
      '(re)write orchestration/shared/prompt_W*.txt from the templates, with the current best and the target',
    )
    .option(
      '--best <score>',
      'best score to write into the prompts (default: the best in-budget score in coordination.json)',
      (value: string) => {
        const score = Number(value);
        if (value.trim() === '' || !Number.isFinite(score))
          throw new UserError(`--best: expected a number, got ${JSON.stringify(value)}`);
        return score;
      },
    )
    .action(async (options: { best?: number }, command: Command) => {
      const root = workspaceOf(command);
      const config = loadConfig(root);
      const written = await writePrompts(
        root,
        { ...config, agents: resolveAgents(config, root) },
        { best: options.best },
      );
      if (written.length === 0) process.stdout.write('No agent reads a prompt file (built-in agents need none).\n');
      for (const file of written) process.stdout.write(`wrote ${file}\n`);
    });
}
