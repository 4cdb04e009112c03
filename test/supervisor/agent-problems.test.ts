import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { dockerTestsEnabled } from '../docker/test-image.js';
import { makeTempDir } from '../helpers/cli.js';
import { launchSupervisor, shutdownLaunched, waitUntil } from './workspace.js';

const dockerEnabled = await dockerTestsEnabled('agent problem: missing image');

afterEach(shutdownLaunched);

/** An agent whose whole behaviour is a small Node script. */
function scriptAgent(source: string) {
  const file = path.join(makeTempDir('ralph-agent-'), 'agent.mjs');
  fs.writeFileSync(file, source);
  return { id: 'W1', role: 'worker', kind: 'custom', command: `'${process.execPath}' '${file}'`, prompt: 'off' };
}

describe('an agent a person must act on says why in its snapshot (tab and footer), not only "restarting"', () => {
  it('an agent that keeps exiting shows its last sentence, and the reason stays during the backoff', async () => {
    const { supervisor } = launchSupervisor({
      agents: [
        scriptAgent(
          "console.error('ralph-tui: orchestration/shared/experiment_queue.json: invalid JSON at line 3, column 5'); process.exit(2);",
        ),
      ],
    });
    await supervisor.start();
    await waitUntil(() => supervisor.getSnapshot().agents[0].restarts >= 1);
    const [agent] = supervisor.getSnapshot().agents;
    expect(agent.problem).toBe(
      'exited (code 2): ralph-tui: orchestration/shared/experiment_queue.json: invalid JSON at line 3, column 5',
    );
  });

  it("a built-in agent's WAITING line is the problem while it lasts, and clears when the agent resumes", async () => {
    const fifo = path.join(makeTempDir('ralph-go-'), 'go');
    const source = `
      import fs from 'node:fs';
      console.log('12:00:00 W1 WAITING: data/tiny.json: field samples[0].Y_noisy[3][0]: expected a finite number, got "oops" (fix the file)');
      const wait = setInterval(() => {
        if (!fs.existsSync(${JSON.stringify(fifo)})) return;
        clearInterval(wait);
        console.log('12:00:05 W1 resumed: the problem is fixed');
        setInterval(() => undefined, 1000);
      }, 50);`;
    const { supervisor } = launchSupervisor({ agents: [scriptAgent(source)] });
    await supervisor.start();
    await waitUntil(() => supervisor.getSnapshot().agents[0].problem !== undefined);
    expect(supervisor.getSnapshot().agents[0].problem).toBe(
      'data/tiny.json: field samples[0].Y_noisy[3][0]: expected a finite number, got "oops" (fix the file)',
    );

    fs.writeFileSync(fifo, '');
    await waitUntil(() => supervisor.getSnapshot().agents[0].problem === undefined);
  });

  it('a Docker agent whose engine does not answer names where it looked and the two ways out', async () => {
    const socket = path.join(makeTempDir('ralph-noengine-'), 'docker.sock');
    const { supervisor, recorder } = launchSupervisor({
      runtime: 'docker',
      engine: socket,
      agents: [{ id: 'W1', role: 'worker', kind: 'custom', command: 'true', prompt: 'off' }],
    });
    await supervisor.start();
    await recorder.waitFor((event) => event.type === 'restart-scheduled');
    expect(supervisor.getSnapshot().agents[0].problem).toMatch(
      new RegExp(`^no Docker engine at .*docker\\.sock.* — start Docker, or set runtime: local$`),
    );
  });

  it.runIf(dockerEnabled)(
    'a Docker agent whose image is missing names the image and `ralph-tui image build`',
    async () => {
      const name = `prob${Date.now().toString(36)}`;
      const { supervisor, recorder } = launchSupervisor({
        name,
        runtime: 'docker',
        image: `ralph-faults-missing-${name}:none`,
        agents: [{ id: 'W1', role: 'worker', kind: 'custom', command: 'true', prompt: 'off' }],
      });
      await supervisor.start();
      await recorder.waitFor((event) => event.type === 'restart-scheduled');
      const [agent] = supervisor.getSnapshot().agents;
      expect(agent.state).toBe('restarting');
      expect(agent.problem).toMatch(
        /^image ralph-faults-missing-.* \(agent W1\) is not on the Docker engine at .* — build it with `ralph-tui image build`$/,
      );
    },
  );
});
