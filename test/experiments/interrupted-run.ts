import { execa, type Result } from 'execa';
import { cliPath } from '../helpers/cli.js';

/**
 * `ralph-tui run baseline --progress json` in `root`, sent `signal` as soon as its first sample is reported:
 * a run stopped mid-way, as a person's Ctrl-C, a supervisor's SIGTERM or a closed agent pane does.
 */
export async function runInterruptedAfterFirstSample(root: string, signal: NodeJS.Signals): Promise<Result> {
  const child = execa(
    process.execPath,
    [cliPath, '--workspace', root, 'run', 'baseline', '--workers', '1', '--progress', 'json'],
    { reject: false, env: { FORCE_COLOR: '0' } },
  );
  child.stdout!.on('data', function onData(chunk: Buffer) {
    if (!chunk.toString().includes('"type":"sample"')) return;
    child.stdout!.off('data', onData);
    child.kill(signal);
  });
  return child;
}
