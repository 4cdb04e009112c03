import { describe, expect, it } from 'vitest';
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
});
