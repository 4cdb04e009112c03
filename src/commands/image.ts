// The `ralph-tui image build` command: builds the agent image with the workspace owner's uid/gid.
import fs from 'node:fs';
import { exists } from '../../core/safe-fs.js';
import { type Command, InvalidArgumentError } from 'commander';
import { buildImage, imageBuildCommand, ralphInstallDir } from '../../docker/index.js';
import { DEFAULT_AGENT_UID } from '../../docker/container-spec.js';
import { DEFAULT_IMAGE, loadConfig } from '../config.js';
import { workspacePaths } from '../../core/workspace-paths.js';
import { workspaceOf } from './workspace-option.js';

function id(value: string): number {
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 1)
    throw new InvalidArgumentError('expected a non-root numeric id (1 or more).');
  return parsed;
}

/** The workspace owner's uid/gid, so the image's agent user writes files the user owns (root → 1000). */
function ownerIds(root: string): { uid: number; gid: number } {
  try {
    const stat = fs.statSync(root);
    if (stat.uid !== 0) return { uid: stat.uid, gid: stat.gid };
  } catch {
    // No workspace yet: the image's default user.
  }
  return { uid: DEFAULT_AGENT_UID, gid: DEFAULT_AGENT_UID };
}

export function registerImage(program: Command): void {
  const image = program.command('image').description('the agent image (docker/Dockerfile.agent)');
  image
    .command('build')
    .description(
      'build the agent image (Node, Python with uv, the claude CLI, a non-root user) with the docker CLI; needs network access',
    )
    .option('--tag <image>', 'image name (default: "image" from ralph.config.json, else ralph-agent:latest)')
    .option('--uid <uid>', "the agent user's uid (default: the workspace owner's)", id)
    .option('--gid <gid>', "the agent user's gid (default: the workspace owner's)", id)
    .option('--claude-version <version>', 'npm version of @anthropic-ai/claude-code', 'latest')
    .option('--engine <host>', 'Docker engine to build on (socket path, tcp://host:port, ssh://user@host)')
    .option('--print', 'print the docker command instead of running it')
    .action(
      async (
        options: { tag?: string; uid?: number; gid?: number; claudeVersion: string; engine?: string; print?: boolean },
        command: Command,
      ) => {
        const root = workspaceOf(command);
        const config = exists(workspacePaths(root).config) ? loadConfig(root) : undefined;
        const tag = options.tag ?? config?.image ?? DEFAULT_IMAGE;
        const owner = ownerIds(root);
        const build = {
          tag,
          uid: options.uid ?? owner.uid,
          gid: options.gid ?? owner.gid,
          claudeVersion: options.claudeVersion,
          engine: options.engine ?? config?.engine,
          installDir: ralphInstallDir(),
        };
        if (options.print) {
          const { args, env } = imageBuildCommand(build);
          process.stdout.write(
            `${Object.entries(env)
              .map(([key, value]) => `${key}=${value}`)
              .join(' ')} docker ${args.join(' ')}\n`,
          );
          return;
        }
        await buildImage(build);
        process.stdout.write(`built ${tag}\n`);
      },
    );
}
