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
});
