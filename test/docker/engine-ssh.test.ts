import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { execa } from 'execa';
import ssh2 from 'ssh2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectEngine } from '../../docker/index.js';
import { makeTempDir } from '../helpers/cli.js';
import { dockerAvailable } from './test-image.js';

const engineHere = await dockerAvailable();

/** A throwaway host key; its public line and fingerprint as OpenSSH prints them. */
async function hostKey(dir: string, name: string): Promise<{ file: string; publicLine: string; fingerprint: string }> {
  const file = path.join(dir, name);
  await execa('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', name, '-f', file]);
  const publicLine = fs.readFileSync(`${file}.pub`, 'utf8').trim();
  const fingerprint = (await execa('ssh-keygen', ['-l', '-f', `${file}.pub`])).stdout.split(' ')[1]!;
  return { file, publicLine, fingerprint };
}

/**
 * An SSH server on loopback that accepts anyone and answers `docker system dial-stdio` with the local engine's
 * socket, as a remote Docker host does.
 */
function sshDockerHost(keyFile: string): Promise<{ server: ssh2.Server; port: number }> {
  const server = new ssh2.Server({ hostKeys: [fs.readFileSync(keyFile)] }, (client) => {
    client.on('authentication', (ctx) => ctx.accept());
    client.on('error', () => undefined);
    client.on('session', (accept) => {
      accept().on('exec', (acceptExec, reject, info) => {
        if (info.command !== 'docker system dial-stdio') return reject();
        const stream = acceptExec();
        const engine = net.connect('/var/run/docker.sock');
        stream.pipe(engine).pipe(stream);
        engine.on('error', () => stream.close());
      });
    });
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => resolve({ server, port: (server.address() as net.AddressInfo).port })),
  );
}

describe('ssh:// engines: the host key is checked against known_hosts', () => {
  let dir: string;
  let server: ssh2.Server;
  let port: number;
  let key: Awaited<ReturnType<typeof hostKey>>;
  let other: Awaited<ReturnType<typeof hostKey>>;
  const knownHosts = (text: string) => {
    const file = path.join(dir, `known_hosts_${Math.random().toString(36).slice(2)}`);
    fs.writeFileSync(file, text);
    return file;
  };

  beforeAll(async () => {
    dir = makeTempDir('engine-ssh-');
    key = await hostKey(dir, 'host-key');
    other = await hostKey(dir, 'other-key');
    ({ server, port } = await sshDockerHost(key.file));
  });

  afterAll(() => server?.close());

  it('refuses an unknown host with one sentence that gives its SHA256 fingerprint', async () => {
    const file = knownHosts('');
    await expect(connectEngine({ host: `ssh://ralph@127.0.0.1:${port}`, knownHosts: file })).rejects.toThrow(
      `engine ssh://ralph@127.0.0.1:${port}: the SSH host [127.0.0.1]:${port} is not in ${file} (it offered ssh-ed25519 ${key.fingerprint}) — check that fingerprint with the host's owner, then add it: \`ssh-keyscan -p ${port} 127.0.0.1 >> ~/.ssh/known_hosts\``,
    );
  });

  it('refuses a host whose key differs from the one known_hosts holds', async () => {
    const file = knownHosts(`[127.0.0.1]:${port} ${other.publicLine.split(' ').slice(0, 2).join(' ')}\n`);
    await expect(connectEngine({ host: `ssh://ralph@127.0.0.1:${port}`, knownHosts: file })).rejects.toThrow(
      `the SSH host key of [127.0.0.1]:${port} does not match known_hosts (offered ssh-ed25519 ${key.fingerprint}) — the connection may be intercepted`,
    );
  });

  it.runIf(engineHere)(
    'reaches the engine when known_hosts holds the key, plainly or hashed (ssh-keygen -H)',
    async () => {
      const file = knownHosts(`# a comment\n[127.0.0.1]:${port} ${key.publicLine.split(' ').slice(0, 2).join(' ')}\n`);
      const docker = await connectEngine({ host: `ssh://ralph@127.0.0.1:${port}`, knownHosts: file });
      expect((await docker.version()).ApiVersion).toMatch(/^\d+\.\d+$/);
      await execa('ssh-keygen', ['-H', '-f', file]);
      expect(fs.readFileSync(file, 'utf8')).toMatch(/^\|1\|/m);
      await expect(connectEngine({ host: `ssh://ralph@127.0.0.1:${port}`, knownHosts: file })).resolves.toBeDefined();
    },
  );
});
