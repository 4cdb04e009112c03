import type { ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AgentContainers, ralphInstallDir } from '../../docker/index.js';
import type { EgressLogLine } from '../../docker/egress-proxy.js';
import { parseConfig, resolveAgent, type ResolvedAgent } from '../../src/config.js';
import { makeTempDir, workspaceName } from '../helpers/cli.js';
import { saveHostNetwork, startDockerd, stopDockerd } from './engine-process.js';
import { dockerTestsEnabled, ensureTestImage } from './test-image.js';

// An engine as Docker is usually installed: the default bridge, iptables on (the shared engine has neither).
const NAME = 'ralph-egress-d';
const SOCKET = `/tmp/${NAME}.sock`;
const BRIDGE = 'ralph-eg0';
const DOCKER_ENV = { ...process.env, DOCKER_HOST: `unix://${SOCKET}` };
const enabled = await dockerTestsEnabled('egress allow-list tests');

async function docker(args: string[]): Promise<string> {
  const result = await execa('docker', args, { env: DOCKER_ENV, reject: false });
  return `${result.stdout}${result.stderr}`.trim();
}

/** A busybox web server on the test engine's default bridge; its address there. */
async function endpoint(image: string, name: string, body: string): Promise<string> {
  await docker(['rm', '-f', name]);
  await docker([
    'run',
    '-d',
    '--name',
    name,
    '--user',
    '1000:1000',
    image,
    'sh',
    '-c',
    `mkdir -p /tmp/www && echo ${body} > /tmp/www/index.html && exec httpd -f -p 8080 -h /tmp/www`,
  ]);
  return docker(['inspect', '-f', '{{.NetworkSettings.Networks.bridge.IPAddress}}', name]);
}

/** A raw HTTP exchange with the proxy from inside the agent's container (busybox nc; its wget has no CONNECT). */
function throughProxy(container: string, request: string): Promise<string> {
  // busybox nc closes on end of input: keep it open long enough for the answer.
  return docker(['exec', container, 'sh', '-c', `(printf '${request}'; sleep 2) | nc -w 5 127.0.0.1 3128`]);
}

describe.runIf(enabled)('default-deny egress with an allow-list, on an engine with a bridge and iptables', () => {
  let engine: ChildProcess | undefined;
  let restoreHostNetwork: () => Promise<void> = async () => undefined;
  let image: string;
  let allowed: string;
  let denied: string;
  let workspace: string;
  let agent: ResolvedAgent;
  let containers: AgentContainers;
  const denials: EgressLogLine[] = [];
  let stopFollowing: () => void = () => undefined;

  beforeAll(async () => {
    // A bridge of its own: a dockerd started with --bridge=none (another test file, in parallel) deletes docker0.
    restoreHostNetwork = await saveHostNetwork(BRIDGE);
    await execa('ip', ['link', 'add', BRIDGE, 'type', 'bridge']);
    await execa('ip', ['addr', 'add', '192.168.213.1/24', 'dev', BRIDGE]);
    await execa('ip', ['link', 'set', BRIDGE, 'up']);
    engine = await startDockerd(NAME, ['--bridge', BRIDGE, '--iptables=true']);
    image = await ensureTestImage(SOCKET, { withNode: true });
    allowed = await endpoint(image, 'ralph-egress-allowed', 'allowed-ok');
    denied = await endpoint(image, 'ralph-egress-denied', 'denied-body');
    workspace = makeTempDir('docker-egress-');
    fs.chownSync(workspace, 1000, 1000);
    const config = parseConfig({
      name: workspaceName('egress', workspace),
      runtime: 'docker',
      image,
      engine: SOCKET,
      agents: [
        { id: 'W1', role: 'worker', kind: 'custom', command: 'fake-agent', egress: { allow: [`${allowed}:8080`] } },
      ],
    });
    agent = resolveAgent(config, config.agents[0]!, workspace);
    containers = new AgentContainers({ workspace, ralphInstallDir: ralphInstallDir(), agents: [agent] });
  });

  afterAll(async () => {
    stopFollowing();
    try {
      if (containers) await containers.down([SOCKET], 1, true);
      await docker(['rm', '-f', 'ralph-egress-allowed', 'ralph-egress-denied']);
    } finally {
      await stopDockerd(engine);
      await restoreHostNetwork();
    }
  });

  it('starts the agent with no network of its own and its proxy beside it, without a warning', async () => {
    const state = await containers.ensure(agent);
    expect(state).toMatchObject({ status: 'running', engine: SOCKET });
    expect(state.warnings).toBeUndefined();
    stopFollowing = await containers.followEgress(agent, (line) => denials.push(line));
    // Only the loopback interface: no route anywhere, whatever the engine's iptables do or do not enforce.
    expect(await docker(['exec', agent.containerName, 'ls', '/sys/class/net'])).toBe('lo');
    expect(await docker(['exec', agent.containerName, 'sh', '-c', 'echo "$HTTPS_PROXY $http_proxy"'])).toBe(
      'http://127.0.0.1:3128 http://127.0.0.1:3128',
    );
  });

  it('reaches an allowed endpoint through the proxy (CONNECT and plain HTTP)', async () => {
    const tunnel = await throughProxy(
      agent.containerName,
      `CONNECT ${allowed}:8080 HTTP/1.1\\r\\nHost: ${allowed}:8080\\r\\n\\r\\nGET / HTTP/1.0\\r\\n\\r\\n`,
    );
    expect(tunnel).toMatch(/^HTTP\/1.1 200 Connection Established/);
    expect(tunnel).toContain('allowed-ok');
    const plain = await throughProxy(agent.containerName, `GET http://${allowed}:8080/ HTTP/1.0\\r\\n\\r\\n`);
    expect(plain).toMatch(/^HTTP\/1.1 200/);
    expect(plain).toContain('allowed-ok');
  });

  it('refuses an endpoint that is not on the list, through the proxy and directly, and reports it', async () => {
    // The endpoint itself answers on the bridge: the refusal is the allow-list's, not a broken network.
    expect(
      await docker([
        'run',
        '--rm',
        image,
        'sh',
        '-c',
        `(printf 'GET / HTTP/1.0\\r\\n\\r\\n'; sleep 2) | nc -w 5 ${denied} 8080`,
      ]),
    ).toContain('denied-body');

    const tunnel = await throughProxy(agent.containerName, `CONNECT ${denied}:8080 HTTP/1.1\\r\\n\\r\\n`);
    expect(tunnel).toMatch(/^HTTP\/1.1 403 Forbidden/);
    expect(tunnel).toContain(`${denied}:8080 is not on the egress allow-list of agent W1`);
    expect(tunnel).not.toContain('denied-body');
    const plain = await throughProxy(agent.containerName, `GET http://${denied}:8080/ HTTP/1.0\\r\\n\\r\\n`);
    expect(plain).toMatch(/^HTTP\/1.1 403/);
    // The allowed host on another port is another destination.
    expect(await throughProxy(agent.containerName, `CONNECT ${allowed}:8081 HTTP/1.1\\r\\n\\r\\n`)).toMatch(
      /^HTTP\/1.1 403/,
    );
    const direct = await docker([
      'exec',
      agent.containerName,
      'sh',
      '-c',
      `nc -w 3 ${denied} 8080 </dev/null && echo connected || echo refused`,
    ]);
    expect(direct).toMatch(/unreachable|refused$/i);
    expect(direct).not.toContain('connected');

    for (let i = 0; i < 50 && denials.length < 3; i++) await new Promise((resolve) => setTimeout(resolve, 100));
    expect(denials.map((line) => `${line.host}:${line.port}`)).toEqual(
      expect.arrayContaining([`${denied}:8080`, `${allowed}:8081`]),
    );
  });

  it('applies an allow-list edit on the next start without recreating the agent container', async () => {
    const before = (await containers.inspect(agent)).id;
    const config = parseConfig({
      name: agent.containerName.replace(/^ralph-/, '').replace(/-W1$/, ''),
      runtime: 'docker',
      image,
      engine: SOCKET,
      agents: [
        {
          id: 'W1',
          role: 'worker',
          kind: 'custom',
          command: 'fake-agent',
          egress: { allow: [`${allowed}:8080`], add: [`${denied}:8080`] },
        },
      ],
    });
    const widened = resolveAgent(config, config.agents[0]!, workspace);
    const state = await containers.ensure(widened);
    expect(state.id).toBe(before);
    expect(state.warnings).toBeUndefined();
    expect(await throughProxy(agent.containerName, `GET http://${denied}:8080/ HTTP/1.0\\r\\n\\r\\n`)).toContain(
      'denied-body',
    );
  });

  it('down removes the agent, its proxy and the socket volume, and keeps the login volume unless asked', async () => {
    await containers.down([SOCKET], 1);
    const names = await docker(['ps', '-a', '--format', '{{.Names}}']);
    expect(names).not.toContain(agent.containerName);
    const volumes = await docker(['volume', 'ls', '-q']);
    expect(volumes).not.toContain(`${agent.containerName}-egress`);
    expect(volumes).toContain(`${agent.containerName}-claude`);
  });
});
