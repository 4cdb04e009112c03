import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { connectEngine, describeEngine, engineEnv, resolveEngine } from '../../docker/index.js';
import { makeTempDir, repoRoot } from '../helpers/cli.js';

describe('resolveEngine', () => {
  it('reads socket paths, unix://, tcp:// and ssh:// hosts, and DOCKER_HOST when the config names none', () => {
    expect(resolveEngine('/tmp/d2.sock')).toEqual({ kind: 'unix', socketPath: '/tmp/d2.sock' });
    expect(resolveEngine('unix:///run/user/1000/docker.sock')).toEqual({
      kind: 'unix',
      socketPath: '/run/user/1000/docker.sock',
    });
    expect(resolveEngine('tcp://127.0.0.1:2375')).toEqual({ kind: 'tcp', host: '127.0.0.1', port: 2375 });
    expect(resolveEngine('ssh://ralph@gpu-box')).toEqual({ kind: 'ssh', host: 'gpu-box', port: 22, username: 'ralph' });
    expect(resolveEngine(undefined, {})).toEqual({ kind: 'unix', socketPath: '/var/run/docker.sock' });
    expect(resolveEngine(undefined, { DOCKER_HOST: 'tcp://10.0.0.5:2376', DOCKER_CERT_PATH: '/certs' })).toEqual({
      kind: 'tcp',
      host: '10.0.0.5',
      port: 2376,
      tls: { ca: '/certs/ca.pem', cert: '/certs/cert.pem', key: '/certs/key.pem' },
    });
  });

  it('takes TLS files from the engine object and rejects half a key pair or an unknown scheme', () => {
    expect(resolveEngine({ host: 'tcp://gpu:2376', ca: 'ca.crt', cert: 'c.crt', key: 'k.key' })).toMatchObject({
      tls: { ca: 'ca.crt', cert: 'c.crt', key: 'k.key' },
    });
    expect(() => resolveEngine({ host: 'tcp://gpu:2376', cert: 'c.crt' })).toThrow(
      'engine tcp://gpu:2376: TLS needs both cert and key files',
    );
    expect(() => resolveEngine('ftp://x')).toThrow('engine "ftp://x" uses ftp://, expected unix://, tcp:// or ssh://');
  });

  it("accepts tcp:// without TLS only on loopback, where exec'd API keys never cross a network", () => {
    for (const host of ['tcp://localhost:2375', 'tcp://127.0.0.2:2375', 'tcp://[::1]:2375'])
      expect(resolveEngine(host).kind).toBe('tcp');
    expect(() => resolveEngine('tcp://build-box:2375')).toThrow(
      'engine tcp://build-box:2375 has no TLS: the API keys passed to agents would cross the network in clear — give its ca, cert and key files in "engine" (or DOCKER_CERT_PATH), or use ssh://',
    );
    expect(() => resolveEngine(undefined, { DOCKER_HOST: 'tcp://10.0.0.5:2375' })).toThrow(
      'engine tcp://10.0.0.5:2375 has no TLS',
    );
    expect(() => resolveEngine('https://10.0.0.5:2376')).toThrow('has no TLS');
  });

  it('describes engines without secrets', () => {
    expect(describeEngine(resolveEngine('ssh://ralph@gpu-box:2222'))).toBe('ssh://ralph@gpu-box:2222');
    expect(describeEngine(resolveEngine({ host: 'tcp://gpu:2376', cert: 'c', key: 'k' }))).toBe('tcp://gpu:2376');
  });
});

describe('engineEnv (for the docker CLI child of a pty)', () => {
  it('always sets DOCKER_HOST explicitly', () => {
    expect(engineEnv('/tmp/d2.sock')).toEqual({ DOCKER_HOST: 'unix:///tmp/d2.sock' });
    expect(engineEnv('ssh://ralph@gpu-box')).toEqual({ DOCKER_HOST: 'ssh://ralph@gpu-box' });
  });

  it('points DOCKER_CERT_PATH at the TLS files under the names the docker CLI expects', () => {
    const dir = makeTempDir('engine-tls-');
    for (const name of ['my-ca.crt', 'client.crt', 'client.key']) fs.writeFileSync(path.join(dir, name), name);
    const env = engineEnv({
      host: 'tcp://gpu:2376',
      ca: path.join(dir, 'my-ca.crt'),
      cert: path.join(dir, 'client.crt'),
      key: path.join(dir, 'client.key'),
    });
    expect(env).toMatchObject({ DOCKER_HOST: 'tcp://gpu:2376', DOCKER_TLS_VERIFY: '1' });
    expect(fs.readFileSync(path.join(env.DOCKER_CERT_PATH!, 'ca.pem'), 'utf8')).toBe('my-ca.crt');
    expect(fs.readFileSync(path.join(env.DOCKER_CERT_PATH!, 'cert.pem'), 'utf8')).toBe('client.crt');
    expect(fs.readFileSync(path.join(env.DOCKER_CERT_PATH!, 'key.pem'), 'utf8')).toBe('client.key');
    // Links only, in a private folder made for this process (not a fixed name another user could make first).
    const folder = fs.statSync(env.DOCKER_CERT_PATH!);
    expect(folder.mode & 0o777).toBe(0o700);
    expect(folder.uid).toBe(process.getuid!());
    expect(fs.lstatSync(path.join(env.DOCKER_CERT_PATH!, 'key.pem')).isSymbolicLink()).toBe(true);
    expect(path.basename(env.DOCKER_CERT_PATH!)).toMatch(/^ralph-tls-[A-Za-z0-9]{6}$/);
  });
});

describe('connectEngine', () => {
  it('says in one sentence that no engine answers, and how to go on', async () => {
    const socket = path.join(makeTempDir('engine-none-'), 'docker.sock');
    await expect(connectEngine(socket)).rejects.toThrow(
      `no Docker engine at ${socket} — start Docker, or set runtime: local`,
    );
  });

  it('tells a permission problem apart from a missing engine', async () => {
    const dir = makeTempDir('engine-eacces-');
    fs.chmodSync(dir, 0o755);
    const socket = path.join(dir, 'docker.sock');
    const server = net.createServer().listen(socket);
    await new Promise((resolve) => server.once('listening', resolve));
    fs.chmodSync(socket, 0o000);
    try {
      // The built module in a child process, as an unprivileged user when the tests run as root (root ignores modes).
      const script = `import('${path.join(repoRoot, 'dist', 'docker', 'engine.js')}').then((m) => m.connectEngine('${socket}')).then(() => console.log('connected'), (e) => console.log(e.message))`;
      const asNobody = process.getuid?.() === 0 ? { uid: 65534, gid: 65534 } : {};
      const result = await execa(process.execPath, ['-e', script], { ...asNobody, reject: false });
      expect(result.stdout).toBe(
        `permission denied on the Docker engine at ${socket} — add your user to the docker group, or set runtime: local`,
      );
    } finally {
      server.close();
    }
  });

  it('names a TLS file it cannot read', async () => {
    await expect(
      connectEngine({ host: 'tcp://127.0.0.1:1', cert: '/nonexistent/c.pem', key: '/nonexistent/k.pem' }),
    ).rejects.toThrow('engine tcp://127.0.0.1:1: cannot read the TLS certificate file /nonexistent/c.pem (ENOENT)');
  });
});
