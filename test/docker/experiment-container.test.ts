import fs from 'node:fs';
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { experimentRunCommand, LABEL_EXPERIMENT, ralphInstallDir } from '../../docker/index.js';
import { ExperimentRunner } from '../../src/experiments/experiment-runner.js';
import { makeTempDir } from '../helpers/cli.js';
import { dockerTestsEnabled, ensureTestImage } from './test-image.js';

const enabled = await dockerTestsEnabled('experiments in a sandboxed container');

/** An agent-written experiment whose command probes the sandbox, then prints a score line like a real script. */
const PROBE = [
  'echo "uid $(id -u)"',
  'cat /workspace/.ralph/events.jsonl >/dev/null 2>&1 && echo "events readable" || echo "events hidden"',
  'touch /usr/planted 2>/dev/null && echo "root writable" || echo "root read-only"',
  'echo "interfaces $(ls /sys/class/net | tr "\\n" " ")"',
  'grep -q "^CapEff:\\s*0*$" /proc/self/status && echo "no capabilities"',
  'echo "Submission Score: 1.1"',
].join('; ');

describe.runIf(enabled)('an experiment started from the screen in a Docker workspace', () => {
  let workspace: string;
  let image: string;
  let runner: ExperimentRunner;

  beforeAll(async () => {
    image = await ensureTestImage(undefined, { withNode: true });
    workspace = makeTempDir('docker-exp-');
    fs.mkdirSync(path.join(workspace, 'experiments', 'probe'), { recursive: true });
    fs.writeFileSync(
      path.join(workspace, 'experiments', 'probe', 'experiment.json'),
      JSON.stringify({ command: PROBE }),
    );
    fs.mkdirSync(path.join(workspace, 'experiments', 'slow'), { recursive: true });
    fs.writeFileSync(
      path.join(workspace, 'experiments', 'slow', 'experiment.json'),
      JSON.stringify({ command: 'echo started; sleep 120' }),
    );
    // Private, as the supervisor makes it (the container's mask over it took this mode).
    fs.mkdirSync(path.join(workspace, '.ralph'), { mode: 0o700 });
    fs.writeFileSync(path.join(workspace, '.ralph', 'events.jsonl'), '{"secret":true}\n');
    fs.writeFileSync(
      path.join(workspace, 'ralph.config.json'),
      JSON.stringify({ runtime: 'docker', image, agents: [{ id: 'W1', role: 'worker' }] }),
    );
    await execa('chown', ['-R', '1000:1000', workspace]);
    const sandbox = (name: string, cliArgs: string[]) => {
      const run = experimentRunCommand(
        { workspace, ralphInstallDir: ralphInstallDir(), image, experiment: name, memoryBytes: 256 * 1024 ** 2 },
        cliArgs,
      );
      return { command: [run.file, ...run.args], env: run.env };
    };
    runner = new ExperimentRunner({ workspace, sandbox });
  });

  afterAll(async () => {
    await runner?.dispose();
    const { stdout } = await execa('docker', ['ps', '-aq', '--filter', `label=ralph.workspace=${workspace}`]);
    if (stdout.trim()) await execa('docker', ['rm', '-f', ...stdout.trim().split('\n')]);
  });

  it("runs its command in a container with the agents' sandbox, not on the host", async () => {
    const id = runner.startBuiltin('probe', { workers: 1 });
    for (let i = 0; i < 600 && !['finished', 'failed'].includes(runner.getSnapshot()[0]?.state ?? ''); i++)
      await new Promise((resolve) => setTimeout(resolve, 100));
    const view = runner.getSnapshot().find((run) => run.id === id)!;
    const output = fs.readFileSync(view.logFile, 'utf8');
    expect(view.command).toMatch(/^docker run --rm /);
    expect(output).toContain('uid 1000');
    expect(output).toContain('events hidden');
    expect(output).toContain('root read-only');
    expect(output).toContain('interfaces lo');
    expect(output).toContain('no capabilities');
    expect(view.state).toBe('finished');
    // The run's live status file, written inside the container, is where the screen looks for it.
    expect(fs.existsSync(path.join(workspace, '.ralph', 'progress', `${id}.json`))).toBe(true);
    // --rm: nothing is left behind.
    expect((await execa('docker', ['ps', '-aq', '--filter', `label=${LABEL_EXPERIMENT}=probe`])).stdout.trim()).toBe(
      '',
    );
  });

  it('is cancelled like a host run: the signal reaches the container, which goes away', async () => {
    const id = runner.startBuiltin('slow', { workers: 1 });
    const view = () => runner.getSnapshot().find((run) => run.id === id)!;
    for (
      let i = 0;
      i < 300 && (!fs.existsSync(view().logFile) || !fs.readFileSync(view().logFile, 'utf8').includes('started'));
      i++
    )
      await new Promise((resolve) => setTimeout(resolve, 100));
    await runner.cancel(id);
    expect(view().state).toBe('cancelled');
    for (
      let i = 0;
      i < 50 && (await execa('docker', ['ps', '-aq', '--filter', `label=${LABEL_EXPERIMENT}=slow`])).stdout.trim();
      i++
    )
      await new Promise((resolve) => setTimeout(resolve, 100));
    expect((await execa('docker', ['ps', '-aq', '--filter', `label=${LABEL_EXPERIMENT}=slow`])).stdout.trim()).toBe('');
  });
});
