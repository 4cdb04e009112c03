import pty from 'node-pty';
import { describe, expect, it } from 'vitest';
import { BROKEN_TERMINAL_HINT, RESET_MODES } from '../../src/app/terminal-restore.js';
import { cliPath } from '../helpers/cli.js';
import { fakeAgentWorkspace, interactiveEnv, stopService } from './screen-harness.js';

/**
 * After `kill -9` of a screen the terminal stays as the screen left it: modes on (mouse reports, bracketed paste,
 * hidden cursor), no echo, no line editing. The next start switches the modes off before anything else and works
 * with echo on; as Node puts the settings it started with back on exit, the exit tells the person to type `reset`.
 */
describe('a terminal left behind by a killed screen', () => {
  it('the next start resets the modes first, runs, and its exit names `reset`', async () => {
    const ws = fakeAgentWorkspace(['W0']);
    const script = `stty -echo -icanon; '${process.execPath}' '${cliPath}' --workspace '${ws}'; echo; echo "AFTER: $(stty -a | tr '\\n' ' ')"`;
    const proc = pty.spawn('sh', ['-c', script], {
      name: 'xterm-256color',
      cols: 120,
      rows: 30,
      env: interactiveEnv(),
    });
    let output = '';
    proc.onData((data) => (output += data));
    const exited = new Promise<void>((resolve) => proc.onExit(() => resolve()));
    const until = async (pattern: RegExp, ms = 30_000) => {
      const deadline = Date.now() + ms;
      while (!pattern.test(output)) {
        if (Date.now() > deadline)
          throw new Error(`timed out waiting for ${pattern}; output tail: ${JSON.stringify(output.slice(-1500))}`);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    };
    try {
      // Raw bytes: the pane's rows carry attributes between differently styled words ("Fake Claude" is bold, "(W0)" dim).
      await until(/Fake Claude/);
      proc.write('q');
      await until(/AFTER: [^\r\n]*\r?\n/);
      // The first bytes: every mode off, before the alternate screen and the first frame.
      expect(output.indexOf(RESET_MODES)).toBeGreaterThanOrEqual(0);
      expect(output.indexOf(RESET_MODES)).toBeLessThan(output.indexOf('\x1b[?1049h'));
      expect(output.replace(/\r?\n/g, ' ')).toContain(BROKEN_TERMINAL_HINT);
      await exited;
    } finally {
      try {
        proc.kill('SIGKILL');
      } catch {
        // Already gone.
      }
      stopService(ws);
    }
  }, 60_000);
});
