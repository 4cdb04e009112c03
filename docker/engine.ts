// Finds and connects to the Docker engine an agent or the config names (socket, tcp:// or ssh://).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Docker from 'dockerode';
import type { EngineChoice } from './container-agent.js';
import { UserError } from '../core/errors.js';
import { verifyHostKey } from './known-hosts.js';

export const DEFAULT_SOCKET = '/var/run/docker.sock';

/** Where a Docker engine listens, normalised from DOCKER_HOST, a socket path, tcp:// (TLS files optional) or ssh://. */
export type EngineTarget =
  | { kind: 'unix'; socketPath: string }
  | { kind: 'tcp'; host: string; port: number; tls?: { ca?: string; cert: string; key: string } }
  | { kind: 'ssh'; host: string; port: number; username?: string; knownHosts?: string[] };

/** Loopback: the only place an engine may be reached without TLS (exec'd API keys would otherwise cross a network in clear). */
export function isLoopbackHost(host: string): boolean {
  const name = host.replace(/^\[(.*)\]$/, '$1').toLowerCase();
  return name === 'localhost' || name === '::1' || /^127\.\d+\.\d+\.\d+$/.test(name);
}

/**
 * Resolves an agent's or the config's `engine` (else DOCKER_HOST, else the default socket).
 * TLS for tcp:// comes from the engine's ca/cert/key files, or DOCKER_CERT_PATH as the docker CLI does.
 */
export function resolveEngine(engine?: EngineChoice, env: NodeJS.ProcessEnv = process.env): EngineTarget {
  const spec = typeof engine === 'string' ? { host: engine } : engine;
  const host = spec?.host ?? env.DOCKER_HOST ?? `unix://${DEFAULT_SOCKET}`;
  if (host.startsWith('/')) return { kind: 'unix', socketPath: host };
  if (host.startsWith('unix://')) return { kind: 'unix', socketPath: host.slice('unix://'.length) || DEFAULT_SOCKET };
  let url: URL;
  try {
    url = new URL(host.includes('://') ? host : `tcp://${host}`);
  } catch {
    throw new UserError(
      `engine "${host}" is not a Docker host: expected a socket path, unix:///path, tcp://host:port or ssh://user@host`,
    );
  }
  if (url.protocol === 'ssh:') {
    const knownHosts = spec && 'knownHosts' in spec && spec.knownHosts ? [spec.knownHosts] : undefined;
    return {
      kind: 'ssh',
      host: url.hostname,
      port: Number(url.port || 22),
      username: url.username || undefined,
      knownHosts,
    };
  }
  if (url.protocol !== 'tcp:' && url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new UserError(`engine "${host}" uses ${url.protocol}//, expected unix://, tcp:// or ssh://`);
  }
  const port = Number(url.port || (url.protocol === 'http:' ? 2375 : 2376));
  const target: EngineTarget = { kind: 'tcp', host: url.hostname, port };
  if (spec?.cert || spec?.key || spec?.ca) {
    if (!spec.cert || !spec.key) throw new UserError(`engine ${host}: TLS needs both cert and key files`);
    target.tls = { ca: spec.ca, cert: spec.cert, key: spec.key };
  } else if (!engine && env.DOCKER_CERT_PATH) {
    const dir = env.DOCKER_CERT_PATH;
    target.tls = { ca: path.join(dir, 'ca.pem'), cert: path.join(dir, 'cert.pem'), key: path.join(dir, 'key.pem') };
  }
  if (!target.tls && !isLoopbackHost(url.hostname)) {
    throw new UserError(
      `engine tcp://${url.hostname}:${port} has no TLS: the API keys passed to agents would cross the network in clear — give its ca, cert and key files in "engine" (or DOCKER_CERT_PATH), or use ssh://`,
    );
  }
  return target;
}

/** The engine as people write it, for messages ("no Docker engine at …"). Never contains secrets. */
export function describeEngine(target: EngineTarget): string {
  switch (target.kind) {
    case 'unix':
      return target.socketPath;
    case 'tcp':
      return `tcp://${target.host}:${target.port}`;
    case 'ssh':
      return `ssh://${target.username ? `${target.username}@` : ''}${target.host}${target.port === 22 ? '' : `:${target.port}`}`;
  }
}

function readTlsFile(file: string, what: string, where: string): Buffer {
  try {
    return fs.readFileSync(file);
  } catch (error) {
    throw new UserError(
      `engine ${where}: cannot read the TLS ${what} file ${file} (${(error as NodeJS.ErrnoException).code ?? 'error'})`,
    );
  }
}

/** Why an ssh:// client's host key was refused (read when its first request fails). */
const hostKeyRefusals = new WeakMap<Docker, { message?: string }>();

/** A dockerode client for the target; does not contact the engine. */
export function createClient(target: EngineTarget): Docker {
  const where = describeEngine(target);
  // Every key is set explicitly: docker-modem merges DOCKER_HOST's defaults under ours, and a stray
  // `host` from the environment would silently win over a socket path.
  switch (target.kind) {
    case 'unix':
      return new Docker({ socketPath: target.socketPath, host: undefined, protocol: undefined, port: undefined });
    case 'tcp': {
      if (!target.tls)
        return new Docker({ protocol: 'http', host: target.host, port: target.port, socketPath: undefined });
      return new Docker({
        protocol: 'https',
        host: target.host,
        port: target.port,
        socketPath: undefined,
        ca: target.tls.ca ? readTlsFile(target.tls.ca, 'CA', where) : undefined,
        cert: readTlsFile(target.tls.cert, 'certificate', where),
        key: readTlsFile(target.tls.key, 'key', where),
      });
    }
    case 'ssh': {
      const refusal: { message?: string } = {};
      // ssh2 accepts any host key unless told otherwise: check it against known_hosts as OpenSSH would.
      const hostVerifier = (key: Buffer) => {
        const verdict = verifyHostKey({ host: target.host, port: target.port, key, files: target.knownHosts });
        if (!verdict.ok) refusal.message = verdict.message;
        return verdict.ok;
      };
      const docker = new Docker({
        protocol: 'ssh',
        host: target.host,
        port: target.port,
        username: target.username,
        socketPath: undefined,
        sshOptions: { agent: process.env.SSH_AUTH_SOCK, hostVerifier },
      } as Docker.DockerOptions);
      hostKeyRefusals.set(docker, refusal);
      return docker;
    }
  }
}

const PING_TIMEOUT_MS = 5_000;

/**
 * Connects to the engine and checks it answers. When none does: one sentence naming where we looked and
 * the two ways out (start Docker, or set runtime: local), so a missing engine is fixable without a stack trace.
 */
export async function connectEngine(engine?: EngineChoice): Promise<Docker> {
  const target = resolveEngine(engine);
  const docker = createClient(target);
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      docker.ping(),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error('timed out')), PING_TIMEOUT_MS);
      }),
    ]);
  } catch (error) {
    const where = describeEngine(target);
    const refused = hostKeyRefusals.get(docker)?.message;
    if (refused) throw new UserError(`engine ${where}: ${refused}`);
    const code = (error as NodeJS.ErrnoException).code;
    // Permission denied means the engine runs and "start Docker" would be the wrong advice.
    if (code === 'EACCES')
      throw new UserError(
        `permission denied on the Docker engine at ${where} — add your user to the docker group, or set runtime: local`,
      );
    if (target.kind === 'tcp' && !target.tls && /HTTPS/i.test((error as Error).message)) {
      throw new UserError(
        `the Docker engine at ${where} speaks TLS: give its ca, cert and key files in "engine" (or DOCKER_CERT_PATH)`,
      );
    }
    const cause = code === 'ENOENT' || code === 'ECONNREFUSED' ? '' : ` (${code ?? (error as Error).message})`;
    throw new UserError(`no Docker engine at ${where}${cause} — start Docker, or set runtime: local`);
  } finally {
    clearTimeout(timer);
  }
  return docker;
}

/**
 * Environment for a `docker` CLI child (the pty's `docker exec -it`) so it talks to the same engine as
 * dockerode. DOCKER_HOST is always explicit so a docker context cannot send the CLI elsewhere.
 */
export function engineEnv(engine?: EngineChoice): Record<string, string> {
  const target = resolveEngine(engine);
  switch (target.kind) {
    case 'unix':
      return { DOCKER_HOST: `unix://${target.socketPath}` };
    case 'ssh':
      return { DOCKER_HOST: describeEngine(target) };
    case 'tcp':
      if (!target.tls) return { DOCKER_HOST: `tcp://${target.host}:${target.port}` };
      return {
        DOCKER_HOST: `tcp://${target.host}:${target.port}`,
        DOCKER_TLS_VERIFY: '1',
        DOCKER_CERT_PATH: certDir(target.tls),
      };
  }
}

/**
 * The docker CLI only reads TLS files named ca.pem/cert.pem/key.pem from DOCKER_CERT_PATH, while the config
 * names arbitrary files: link them into a private folder under those names (nothing is copied).
 */
function certDir(tls: { ca?: string; cert: string; key: string }): string {
  const files = { 'ca.pem': tls.ca, 'cert.pem': tls.cert, 'key.pem': tls.key };
  const dirs = new Set(
    Object.values(files)
      .filter(Boolean)
      .map((file) => path.dirname(path.resolve(file!))),
  );
  const named = Object.entries(files).every(([name, file]) => !file || path.basename(file) === name);
  if (dirs.size === 1 && named) return [...dirs][0]!;
  const key = JSON.stringify(files);
  const known = linkedCertDirs.get(key);
  if (known && fs.existsSync(known)) return known;
  // A fresh private folder (0700, unpredictable name): a fixed name in /tmp could be made first by another user,
  // who would then choose the CA the docker CLI trusts.
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ralph-tls-'));
  for (const [name, file] of Object.entries(files)) if (file) fs.symlinkSync(path.resolve(file), path.join(dir, name));
  if (linkedCertDirs.size === 0)
    process.once('exit', () => linkedCertDirs.forEach((made) => fs.rmSync(made, { recursive: true, force: true })));
  linkedCertDirs.set(key, dir);
  return dir;
}

/** The folders certDir made in this process, by the files they link (removed when the process exits). */
const linkedCertDirs = new Map<string, string>();
