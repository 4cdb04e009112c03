import type { ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { execa } from 'execa';
import pty from 'node-pty';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AgentContainers, connectEngine, ralphInstallDir } from '../../docker/index.js';
import { parseConfig, resolveAgent, type ResolvedAgent } from '../../src/config.js';
import { makeTempDir, workspaceName } from '../helpers/cli.js';
import { startDockerd, stopDockerd } from './engine-process.js';
import { dockerAvailable, dockerTestsEnabled, ensureTestImage } from './test-image.js';

const SECOND_SOCKET = '/tmp/ralph-d2.sock';
const enabled = await dockerTestsEnabled('multi-engine placement tests');
// The TLS listener exists only on an engine this file starts itself.
const secondAlreadyRunning = enabled && (await dockerAvailable(SECOND_SOCKET));
if (secondAlreadyRunning)
  console.warn(`SKIPPED the TLS engine check: ${SECOND_SOCKET} is already running, without this test's TCP listener`);

const TLS_HOST = 'tcp://127.0.0.1:23760';

interface TlsFiles {
  ca: string;
  cert: string;
  key: string;
  serverCert: string;
  serverKey: string;
}

/** A throwaway CA, server and client certificates (client files deliberately not named ca.pem/cert.pem/key.pem). */
async function makeTlsFiles(): Promise<TlsFiles> {
  const dir = makeTempDir('docker-tls-');
  const file = (name: string) => path.join(dir, name);
  const key = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  await execa('openssl', [
    'req',
    '-x509',
    ...key,
    '-keyout',
    file('ca-key.pem'),
    '-out',
    file('test-ca.crt'),
    '-days',
    '1',
    '-subj',
    '/CN=ralph-test-ca',
  ]);
  const sign = async (name: string, cn: string, ext: string) => {
    await execa('openssl', [
      'req',
      ...key,
      '-keyout',
      file(`${name}.key`),
      '-out',
      file(`${name}.csr`),
      '-subj',
      `/CN=${cn}`,
    ]);
    fs.writeFileSync(file(`${name}.ext`), ext);
    await execa('openssl', [
      'x509',
      '-req',
      '-in',
      file(`${name}.csr`),
      '-CA',
      file('test-ca.crt'),
      '-CAkey',
      file('ca-key.pem'),
      '-CAcreateserial',
      '-out',
      file(`${name}.crt`),
      '-days',
      '1',
      '-extfile',
      file(`${name}.ext`),
    ]);
  };
  await sign('server', 'localhost', 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n');
  await sign('client', 'ralph', 'extendedKeyUsage=clientAuth\n');
  return {
    ca: file('test-ca.crt'),
    cert: file('client.crt'),
    key: file('client.key'),
    serverCert: file('server.crt'),
    serverKey: file('server.key'),
  };
}

/**
 * A second engine on its own socket and data root (the brief's command line), also listening on TCP with
 * TLS client verification; started only if none answers on the socket (then `tls` is undefined).
 */
async function startSecondEngine(): Promise<{ child?: ChildProcess; tls?: TlsFiles }> {
  if (await dockerAvailable(SECOND_SOCKET)) return {};
  const tls = await makeTlsFiles();
  const tcp = [
    '-H',
    TLS_HOST,
    '--tlsverify',
    '--tlscacert',
    tls.ca,
    '--tlscert',
    tls.serverCert,
    '--tlskey',
    tls.serverKey,
  ];
  return { child: await startDockerd('ralph-d2', [...tcp, '--iptables=false', '--bridge=none']), tls };
}

async function namesOn(socket: string): Promise<string[]> {
  const result = await execa('docker', ['-H', `unix://${socket}`, 'ps', '--format', '{{.Names}}']);
  return result.stdout.split('\n').filter(Boolean);
}

describe.runIf(enabled)('agents placed on two Docker engines', () => {
  let second: ChildProcess | undefined;
  let tls: TlsFiles | undefined;
  let workspace: string;
  let agents: ResolvedAgent[];

  beforeAll(async () => {
    ({ child: second, tls } = await startSecondEngine());
    const [imageOne, imageTwo] = await Promise.all([ensureTestImage(), ensureTestImage(SECOND_SOCKET)]);
    expect(imageTwo).toBe(imageOne);
    workspace = makeTempDir('docker-multi-');
    fs.chownSync(workspace, 1000, 1000);
    const config = parseConfig({
      name: workspaceName('multi', workspace),
      runtime: 'docker',
      image: imageOne,
      agents: [
        { id: 'W1', role: 'worker', kind: 'custom', command: 'fake-agent' },
        { id: 'W2', role: 'worker', kind: 'custom', command: 'fake-agent', engine: SECOND_SOCKET },
      ],
    });
    agents = config.agents.map((agent) => resolveAgent(config, agent, workspace));
  });

  afterAll(async () => {
    try {
      if (agents)
        await new AgentContainers({ workspace, ralphInstallDir: ralphInstallDir() }).down([SECOND_SOCKET], 1, true);
    } finally {
      await stopDockerd(second);
    }
  });

  it('runs each agent on its own engine and reaches both through the pty path', async () => {
    const containers = new AgentContainers({ workspace, ralphInstallDir: ralphInstallDir() });
    const [one, two] = await Promise.all(agents.map((agent) => containers.ensure(agent)));
    expect(one).toMatchObject({ status: 'running', engine: '/var/run/docker.sock' });
    expect(two).toMatchObject({ status: 'running', engine: SECOND_SOCKET });
    expect(await namesOn('/var/run/docker.sock')).toContain(agents[0]!.containerName);
    expect(await namesOn('/var/run/docker.sock')).not.toContain(agents[1]!.containerName);
    expect(await namesOn(SECOND_SOCKET)).toContain(agents[1]!.containerName);
    expect(await namesOn(SECOND_SOCKET)).not.toContain(agents[0]!.containerName);

    // The pty's docker CLI talks to the second engine through the env execCommand returns.
    const exec = containers.execCommand(agents[1]!, 'echo "on $(hostname) as $RALPH_AGENT_ID"');
    expect(exec.env.DOCKER_HOST).toBe(`unix://${SECOND_SOCKET}`);
    const term = pty.spawn(exec.file, exec.args, { cols: 80, rows: 10, env: exec.env });
    let output = '';
    term.onData((data) => {
      output += data;
    });
    const code = await new Promise<number>((resolve) => term.onExit(({ exitCode }) => resolve(exitCode)));
    expect(code).toBe(0);
    expect(output).toMatch(/on [0-9a-f]{12} as W2/);
    expect(two.id!.startsWith(output.match(/on ([0-9a-f]{12})/)![1]!)).toBe(true);
  });

  it.runIf(!secondAlreadyRunning)(
    'reaches an engine over tcp:// with TLS client certificates, from dockerode and from the pty docker CLI',
    async () => {
      const engine = { host: TLS_HOST, ca: tls!.ca, cert: tls!.cert, key: tls!.key };
      await expect(connectEngine({ host: TLS_HOST })).rejects.toThrow(
        `the Docker engine at ${TLS_HOST} speaks TLS: give its ca, cert and key files in "engine"`,
      );
      const config = parseConfig({
        name: agents[0]!.containerName.replace(/-W1$/, '').replace(/^ralph-/, ''),
        runtime: 'docker',
        image: agents[0]!.image,
        agents: [{ id: 'W3', role: 'worker', kind: 'custom', command: 'fake-agent', engine }],
      });
      const overTls = resolveAgent(config, config.agents[0]!, workspace);
      const containers = new AgentContainers({ workspace, ralphInstallDir: ralphInstallDir() });
      expect(await containers.ensure(overTls)).toMatchObject({ status: 'running', engine: TLS_HOST });
      // Same daemon as the socket: the container is visible there too.
      expect(await namesOn(SECOND_SOCKET)).toContain(overTls.containerName);

      const exec = containers.execCommand(overTls, 'echo "tls ok from $RALPH_AGENT_ID"');
      expect(exec.env).toMatchObject({ DOCKER_HOST: TLS_HOST, DOCKER_TLS_VERIFY: '1' });
      const term = pty.spawn(exec.file, exec.args, { cols: 80, rows: 10, env: exec.env });
      let output = '';
      term.onData((data) => {
        output += data;
      });
      expect(await new Promise<number>((resolve) => term.onExit(({ exitCode }) => resolve(exitCode)))).toBe(0);
      expect(output).toContain('tls ok from W3');
      await containers.remove(overTls);
      expect((await containers.inspect(overTls)).status).toBe('gone');
    },
  );

  it('lists and reattaches across engines from a fresh instance, and down removes both', async () => {
    const fresh = new AgentContainers({ workspace, ralphInstallDir: ralphInstallDir() });
    const listed = await fresh.list([SECOND_SOCKET]);
    expect(listed.map((state) => `${state.agent}@${state.engine}`).sort()).toEqual([
      'W1@/var/run/docker.sock',
      `W2@${SECOND_SOCKET}`,
    ]);
    expect((await fresh.inspect(agents[1]!)).status).toBe('running');
    const removed = await fresh.down([SECOND_SOCKET], 1);
    expect(removed.map((state) => state.agent).sort()).toEqual(['W1', 'W2']);
    expect(await namesOn(SECOND_SOCKET)).not.toContain(agents[1]!.containerName);
    for (const agent of agents) expect((await fresh.inspect(agent)).status).toBe('gone');
  });
});
