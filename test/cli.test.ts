import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { commandModules, modulesFor } from '../src/commands/index.js';
import { runCli } from './helpers/cli.js';

describe('the ralph-tui CLI', () => {
  it('prints its usage with --help and exits 0', async () => {
    const result = await runCli(['--help']);
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toContain('Usage: ralph-tui');
    expect(result.stdout).toContain('--workspace');
  });

  it('rejects an unknown option with one clear line and exit code 2 (bad input)', async () => {
    const result = await runCli(['--no-such-option']);
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain("unknown option '--no-such-option'");
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });

  it('lists every command in --help, and `help CMD` shows that command', async () => {
    const top = await runCli(['--help']);
    for (const name of Object.keys(commandModules)) expect(top.stdout).toMatch(new RegExp(`^  ${name}\\b`, 'm'));
    const queue = await runCli(['help', 'queue']);
    expect(queue.exitCode).toBe(0);
    expect(queue.stdout).toContain('Usage: ralph-tui queue');
  });

  it('loads only the invoked command (agents call the protocol commands all day)', () => {
    expect(modulesFor(['--workspace', 'queue', 'status'])).toEqual(['status']);
    expect(modulesFor(['-w', '/tmp/x', 'queue', 'claim', '--worker', 'W1'])).toEqual(['queue']);
    expect(modulesFor([])).toEqual([]);
    expect(modulesFor(['--help'])).toEqual(Object.keys(commandModules));
  });

  it('given the protocol commands agents call all day, when run, then none loads zod, Ink, React, dockerode or execa', async () => {
    const here = path.dirname(fileURLToPath(import.meta.url));
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'ralph-trace-'));
    fs.mkdirSync(path.join(root, 'orchestration', 'shared'), { recursive: true });
    for (const args of [['status'], ['queue', 'list'], ['log', 'tail']]) {
      const trace = path.join(root, `${args.join('-')}.txt`);
      fs.writeFileSync(trace, '');
      const result = await execa(
        process.execPath,
        [
          '--import',
          path.join(here, 'fixtures', 'module-trace', 'register.mjs'),
          path.join(here, '..', 'bin', 'ralph-tui.js'),
          '-w',
          root,
          ...args,
        ],
        {
          env: { RALPH_MODULE_TRACE: trace },
          reject: false,
        },
      );
      expect(result.exitCode, `${args.join(' ')}: ${result.stderr}`).toBe(0);
      const loaded = new Set(fs.readFileSync(trace, 'utf8').split('\n').filter(Boolean));
      expect(loaded.has('commander'), args.join(' ')).toBe(true);
      expect(
        ['zod', 'ink', 'react', 'dockerode', 'execa'].filter((name) => loaded.has(name)),
        args.join(' '),
      ).toEqual([]);
    }
    fs.rmSync(root, { recursive: true, force: true });
  });
});
