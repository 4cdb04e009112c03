// Builds the agent image (docker/Dockerfile.agent) with the docker CLI.
import path from 'node:path';
import { execa } from 'execa';
import { UserError } from '../core/errors.js';
import type { EngineChoice } from './container-agent.js';
import { engineEnv } from './engine.js';

export interface ImageBuild {
  tag: string;
  /** The agent user's uid and gid inside the image. */
  uid: number;
  gid: number;
  /** npm version of @anthropic-ai/claude-code. */
  claudeVersion: string;
  engine?: EngineChoice;
  /** The ralph-tui install whose docker/ folder is the build context. */
  installDir: string;
}

/** The `docker build` command line and the environment that points it at the engine. */
export function imageBuildCommand(build: ImageBuild): { args: string[]; env: Record<string, string> } {
  const context = path.join(build.installDir, 'docker');
  const args = [
    'build',
    '-f',
    path.join(context, 'Dockerfile.agent'),
    '-t',
    build.tag,
    '--build-arg',
    `AGENT_UID=${build.uid}`,
    '--build-arg',
    `AGENT_GID=${build.gid}`,
    '--build-arg',
    `CLAUDE_CODE_VERSION=${build.claudeVersion}`,
    context,
  ];
  return { args, env: engineEnv(build.engine) };
}

/** Runs the build with its output on this terminal; a failure is one sentence (the build's output says why). */
export async function buildImage(build: ImageBuild): Promise<void> {
  const { args, env } = imageBuildCommand(build);
  const result = await execa('docker', args, { env: { ...process.env, ...env }, stdio: 'inherit', reject: false });
  if ((result as { code?: string }).code === 'ENOENT')
    throw new UserError(
      'the docker CLI is not installed (it builds the image): install Docker, then run `ralph-tui image build` again',
    );
  if (result.exitCode !== 0)
    throw new UserError(`docker build of ${build.tag} failed (exit ${result.exitCode}); its output is above`, 1);
}
