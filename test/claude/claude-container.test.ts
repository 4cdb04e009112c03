import fs from 'node:fs';
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  agentUser,
  claudeWorkspace,
  giveToAgent,
  HeadlessRun,
  ralphAsAgent,
  TEST_API_KEY,
  transcriptText,
} from '../helpers/claude-agent.js';
import { cliPath, makeTempDir } from '../helpers/cli.js';
import { ScriptedModel, turnContext, type MessageBody } from '../helpers/scripted-model.js';
import { ensureClaudeTestImage } from '../docker/claude-image.js';
import { dockerTestsEnabled } from '../docker/test-image.js';
import { readStatusFile } from '../../src/supervisor/hook-status.js';
import { workspacePaths } from '../../core/workspace-paths.js';
import { workerScript } from '../helpers/claude-scripts.js';

// The same worker as in the local test, in a real container built from docker/agent-setup.sh (Debian from its mirror,
// no image registry). The engine here has no bridge, so the container shares the host's network to reach the
// scripted model on 127.0.0.1 (allowed explicitly, as a config must).

const enabled = (await dockerTestsEnabled('Claude in a container')) && process.getuid?.() === 0;
if (!enabled && process.getuid?.() !== 0)
  console.warn('SKIPPED Claude in a container: building the test image needs root (debootstrap, chroot)');

describe.runIf(enabled)('Claude Code agent for real in a container (scripted model)', () => {
  const model = new ScriptedModel();
  let image = '';
  let root = '';
  beforeAll(async () => {
    await model.listen();
    const user = agentUser()!;
    image = await ensureClaudeTestImage(user.uid, user.gid);
  }, 900_000);
  afterAll(async () => {
    if (root) await ralphAsAgentDown(root);
    await model.close();
  });

  it('a worker in its container claims, runs, completes and logs an experiment with the mounted ralph-tui; its login answers live in its volume', async () => {
    model.setScript('W1', workerScript());
    root = await claudeWorkspace(makeTempDir('ralph-claude-'), {
      agents: [
        {
          id: 'W1',
          role: 'worker',
          prompt: 'You are W1 in a container. Claim, run, complete, log.',
          args: '--dangerously-skip-permissions',
          extra: { runtime: 'docker' },
        },
      ],
      baseUrl: (id) => model.baseUrl(id),
      loop: { idleSeconds: 3, idleNudgeMinutes: 5 },
      config: { image, network: 'host', allowHostNetwork: true, name: `claude-e2e-${process.pid}` },
    });
    const config = JSON.parse(fs.readFileSync(path.join(root, 'ralph.config.json'), 'utf8'));
    config.agents[0].command = 'claude --dangerously-skip-permissions';
    fs.writeFileSync(path.join(root, 'ralph.config.json'), JSON.stringify(config, null, 2));
    expect(
      (await ralphAsAgent(root, ['queue', 'add', '--name', 'fast', '--priority', '0', '--description', 'tiny']))
        .exitCode,
    ).toBe(0);
    // The supervisor runs as root here (the engine's socket is root's); the agent's hooks write as the workspace owner.
    fs.mkdirSync(workspacePaths(root).agentDir('W1'), { recursive: true });
    giveToAgent(path.join(root, '.ralph'));

    const run = new HeadlessRun(root, { ANTHROPIC_API_KEY: TEST_API_KEY }, [], { asRoot: true });
    try {
      await run.waitFor(/W1 container (running|created)/, 180_000);
      await run.waitFor(/W1 prompt delivered \(\d+ chars, bracketed paste\)/, 120_000);
      await run.waitFor(/W1 nudged \(wrap-up phrase "session complete"\)/, 240_000);
    } finally {
      await run.stop();
    }
    expect(model.played('W1')).toBe(4);
    // The run really ran in the container (a failed run still lets the script complete with a made-up score) and wrote
    // its live status into the supervisor's progress folder, through the mask over .ralph.
    expect(
      model
        .turns('W1')
        .some((turn) => /Submission Score: \d\.\d+/.test(turnContext(turn.body as MessageBody).toolResult ?? '')),
    ).toBe(true);
    expect(fs.readdirSync(workspacePaths(root).progress).filter((name) => name.endsWith('.json'))).not.toEqual([]);
    const queue = JSON.parse(fs.readFileSync(path.join(root, 'orchestration/shared/experiment_queue.json'), 'utf8'))
      .experiment_queue as { id: string; status: string }[];
    expect(queue.find((entry) => entry.id === 'EXP_FAST_001')).toMatchObject({ status: 'completed' });
    expect(fs.readFileSync(path.join(root, 'ITERATION_LOG.md'), 'utf8')).toMatch(
      /### \[W1\] Experiment: fast \| Score: \d\.\d+/,
    );
    expect(readStatusFile(workspacePaths(root).agentStatus('W1'))).not.toBeNull();
    const pane = transcriptText(root, 'W1');
    expect(pane).toContain('/workspace');
    expect(pane).not.toMatch(/trust this folder|Do you want to use this API key|Bypass Permissions mode/);

    // The first-run answers are in the agent's credentials volume (its CLAUDE_CONFIG_DIR), not in the workspace.
    const container = `ralph-claude-e2e-${process.pid}-W1`;
    const seeded = await execa('docker', ['exec', container, 'cat', '/home/agent/.claude/.claude.json']);
    expect(JSON.parse(seeded.stdout)).toMatchObject({
      hasCompletedOnboarding: true,
      projects: { '/workspace': { hasTrustDialogAccepted: true } },
    });
    expect(seeded.stdout).not.toContain(TEST_API_KEY.slice(0, 20));

    // `down` removes the container, not its config volume: answers (and a subscription login) are still there.
    expect((await execa(process.execPath, [cliPath, 'down', '--workspace', root], { reject: false })).exitCode).toBe(0);
    expect((await execa('docker', ['container', 'inspect', container], { reject: false })).exitCode).not.toBe(0);
    const volume = JSON.parse((await execa('docker', ['volume', 'inspect', `${container}-claude`])).stdout)[0] as {
      Mountpoint: string;
    };
    expect(JSON.parse(fs.readFileSync(path.join(volume.Mountpoint, '.claude.json'), 'utf8'))).toMatchObject({
      hasCompletedOnboarding: true,
    });
  }, 600_000);
});

async function ralphAsAgentDown(root: string): Promise<void> {
  await execa(process.execPath, [cliPath, 'down', '--volumes', '--workspace', root], { reject: false });
}
