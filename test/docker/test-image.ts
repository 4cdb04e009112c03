import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { connectEngine, engineEnv } from '../../docker/index.js';

/**
 * A stand-in for `claude` inside test containers: a coloured banner, a prompt, each typed line echoed
 * back, `exit [code]` to leave. Busybox sh only.
 */
const FAKE_AGENT = `#!/bin/sh
printf '\\033[1;35m* Fake Claude Code\\033[0m in %s as uid %s\\n' "$(pwd)" "$(id -u)"
while printf '> '; IFS= read -r line; do
  case "$line" in
    exit) exit 0 ;;
    "exit "*) exit "\${line#exit }" ;;
  esac
  printf 'received: %s\\n' "$line"
done
`;

const BUSYBOX = '/bin/busybox';

/** True when a 64-bit ELF binary has a PT_INTERP program header, i.e. needs a dynamic loader. */
function hasInterpreter(file: string): boolean {
  const elf = fs.readFileSync(file);
  const phoff = Number(elf.readBigUInt64LE(0x20));
  const size = elf.readUInt16LE(0x36);
  const count = elf.readUInt16LE(0x38);
  for (let i = 0; i < count; i++) if (elf.readUInt32LE(phoff + i * size) === 3) return true;
  return false;
}

/**
 * The host's node binary and the shared libraries it loads (from ldd), so a test image can run the
 * mounted ralph-tui install like the real agent image does; the same libc keeps node-pty loadable.
 */
async function nodeFiles(): Promise<string[]> {
  const binary = fs.realpathSync(process.execPath);
  const ldd = await execa('ldd', [binary]);
  const libs = [...ldd.stdout.matchAll(/(\/\S+\.so[^\s]*)/g)].map((match) => match[1]!);
  return [binary, ...new Set(libs)];
}

/** True when a Docker engine answers (DOCKER_HOST or the default socket, or `engine`). */
export async function dockerAvailable(engine?: string): Promise<boolean> {
  try {
    await connectEngine(engine);
    return true;
  } catch {
    return false;
  }
}

/**
 * Docker tests run whenever an engine answers; with CI=true they run regardless (and fail without an
 * engine), locally they are skipped with a visible message.
 */
export async function dockerTestsEnabled(what: string): Promise<boolean> {
  if (await dockerAvailable()) return true;
  if (process.env.CI === 'true') return true;
  console.warn(`SKIPPED ${what}: no Docker engine answers (start dockerd, or run with CI=true to make this a failure)`);
  return false;
}

/**
 * Builds (once per content) a tiny image with Debian's static busybox and the fake agent, from a local
 * rootfs tarball via `docker import` — no registry. The agent user's home (~/.claude) is owned by uid
 * 1000 so the credentials volume starts writable, as in the real agent image.
 */
export async function ensureTestImage(engine?: string, options: { withNode?: boolean } = {}): Promise<string> {
  if (!fs.existsSync(BUSYBOX)) throw new Error(`${BUSYBOX} is missing: install Debian's busybox-static`);
  if (hasInterpreter(BUSYBOX))
    throw new Error(`${BUSYBOX} is dynamically linked and cannot run without libc: install Debian's busybox-static`);
  const node = options.withNode ? await nodeFiles() : [];
  const hash = crypto
    .createHash('sha256')
    .update(FAKE_AGENT)
    .update(String(fs.statSync(BUSYBOX).size))
    .update(node.map((file) => `${file}:${fs.statSync(file).size}`).join(','))
    .digest('hex')
    .slice(0, 12);
  const tag = `${options.withNode ? 'ralph-test-agent-node' : 'ralph-test-agent'}:${hash}`;
  const env = { ...process.env, ...engineEnv(engine) };
  const present = await execa('docker', ['image', 'inspect', tag], { env, reject: false });
  if (present.exitCode === 0) return tag;

  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'docker-test-image-'));
  try {
    const root = path.join(dir, 'rootfs');
    for (const sub of ['bin', 'usr/local/bin', 'etc', 'tmp', 'workspace', 'home/agent/.claude', 'proc', 'sys', 'dev']) {
      fs.mkdirSync(path.join(root, sub), { recursive: true });
    }
    fs.chmodSync(path.join(root, 'tmp'), 0o1777);
    fs.copyFileSync(BUSYBOX, path.join(root, 'bin', 'busybox'));
    fs.chmodSync(path.join(root, 'bin', 'busybox'), 0o755);
    const applets = (await execa(BUSYBOX, ['--list'])).stdout.split('\n').filter((name) => name && name !== 'busybox');
    for (const applet of applets) fs.symlinkSync('busybox', path.join(root, 'bin', applet));
    fs.writeFileSync(path.join(root, 'usr/local/bin/fake-agent'), FAKE_AGENT, { mode: 0o755 });
    for (const file of node) {
      fs.mkdirSync(path.join(root, path.dirname(file)), { recursive: true });
      fs.copyFileSync(file, path.join(root, file));
      fs.chmodSync(path.join(root, file), 0o755);
    }
    if (node.length) fs.symlinkSync(node[0]!, path.join(root, 'usr/local/bin/node'));
    fs.writeFileSync(
      path.join(root, 'etc/passwd'),
      'root:x:0:0:root:/root:/bin/sh\nagent:x:1000:1000:agent:/home/agent:/bin/sh\n',
    );
    fs.writeFileSync(path.join(root, 'etc/group'), 'root:x:0:\nagent:x:1000:\n');
    const tar = path.join(dir, 'rootfs.tar');
    // Two passes so ownership is right without root: everything root-owned, the agent's home uid 1000.
    await execa('tar', [
      '-cf',
      tar,
      '--owner=0',
      '--group=0',
      '--numeric-owner',
      '--exclude=./home/agent',
      '-C',
      root,
      '.',
    ]);
    await execa('tar', ['-rf', tar, '--owner=1000', '--group=1000', '--numeric-owner', '-C', root, './home/agent']);
    await execa(
      'docker',
      ['import', '--change', 'ENV PATH=/usr/local/bin:/bin', '--change', 'USER 1000:1000', tar, tag],
      { env },
    );
    return tag;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
