import http from 'node:http';
import net from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createEgressProxy,
  DEFAULT_EGRESS_ALLOW,
  isLocalAddress,
  matchAllow,
  parseAllowEntry,
  type EgressLogLine,
} from '../../docker/egress-proxy.js';
import { parseConfig, resolveAgent } from '../../src/config.js';
import { makeTempDir } from '../helpers/cli.js';

describe('egress allow-list entries', () => {
  it('matches names exactly, *.domain on subdomains only, and ports 443/80 unless a port is given', () => {
    const rules = ['api.anthropic.com', '*.githubusercontent.com', '10.1.2.3:8080', '[::1]:9000'].map(parseAllowEntry);
    expect(matchAllow(rules, 'API.Anthropic.com.', 443)).toBeDefined();
    expect(matchAllow(rules, 'api.anthropic.com', 80)).toBeDefined();
    expect(matchAllow(rules, 'api.anthropic.com', 22)).toBeUndefined();
    expect(matchAllow(rules, 'evil-api.anthropic.com', 443)).toBeUndefined();
    expect(matchAllow(rules, 'objects.githubusercontent.com', 443)).toBeDefined();
    expect(matchAllow(rules, 'githubusercontent.com', 443)).toBeUndefined();
    expect(matchAllow(rules, '10.1.2.3', 8080)).toBeDefined();
    expect(matchAllow(rules, '10.1.2.3', 443)).toBeUndefined();
    expect(matchAllow(rules, '::1', 9000)).toBeDefined();
  });

  it('refuses entries that are not hosts, naming the entry', () => {
    expect(() => parseAllowEntry('http://example.com')).toThrow(
      'egress allow-list entry "http://example.com" is not a host',
    );
    expect(() => parseAllowEntry('example.com:99999')).toThrow('is not a host');
    expect(() => parseAllowEntry('*')).toThrow('is not a host');
  });

  it('treats loopback, link-local (cloud metadata), unspecified and multicast addresses as local', () => {
    for (const address of [
      '127.0.0.1',
      '169.254.169.254',
      '0.0.0.0',
      '::1',
      'fe80::1',
      '::ffff:127.0.0.1',
      '224.0.0.1',
    ])
      expect(isLocalAddress(address)).toBe(true);
    for (const address of ['140.82.112.3', '10.0.0.1', '2606:4700::1']) expect(isLocalAddress(address)).toBe(false);
  });

  it('comes from the config: the default list, replaced by allow, extended by add, checked when loaded', () => {
    const config = parseConfig({
      egress: { add: ['mlflow.example.org'] },
      agents: [
        { id: 'W0', role: 'orchestrator' },
        { id: 'W1', role: 'worker', egress: { allow: ['pypi.org'], add: ['files.pythonhosted.org'] } },
      ],
    });
    const [w0, w1] = config.agents.map((agent) => resolveAgent(config, agent, '/w'));
    expect(w0!.egressAllow).toEqual([...DEFAULT_EGRESS_ALLOW, 'mlflow.example.org']);
    expect(w1!.egressAllow).toEqual(['pypi.org', 'mlflow.example.org', 'files.pythonhosted.org']);
    expect(() =>
      parseConfig({ agents: [{ id: 'W1', role: 'worker', egress: { allow: ['https://x.org/'] } }] }),
    ).toThrow(
      'ralph.config.json: field agents[0].egress.allow[0]: egress allow-list entry "https://x.org/" is not a host',
    );
    expect(() => parseConfig({ network: 'host', agents: [{ id: 'W1', role: 'worker' }] })).toThrow(
      'network "host" gives agent W1 the host\'s network without the egress allow-list; set "allowHostNetwork": true',
    );
    expect(() =>
      parseConfig({ allowHostNetwork: true, network: 'host', agents: [{ id: 'W1', role: 'worker' }] }),
    ).not.toThrow();
  });
});

describe('the egress proxy (on a unix socket, loopback endpoints)', () => {
  const lines: EgressLogLine[] = [];
  let socket: string;
  let proxy: http.Server;
  let allowed: http.Server;
  let other: http.Server;
  let allowedPort: number;
  let otherPort: number;

  const listen = (server: http.Server) =>
    new Promise<number>((resolve) =>
      server.listen(0, '127.0.0.1', () => resolve((server.address() as net.AddressInfo).port)),
    );

  beforeAll(async () => {
    allowed = http.createServer((req, res) => res.end(`allowed-ok for ${req.headers.host}`));
    other = http.createServer((_req, res) => res.end('other-body'));
    allowedPort = await listen(allowed);
    otherPort = await listen(other);
    socket = path.join(makeTempDir('egress-proxy-'), 'proxy.sock');
    // Loopback is reachable only through entries naming the address itself.
    proxy = createEgressProxy({
      allow: [`127.0.0.1:${allowedPort}`, `localhost:${otherPort}`],
      agent: 'W1',
      log: (line) => lines.push(line),
    });
    await new Promise<void>((resolve) => proxy.listen(socket, resolve));
  });

  afterAll(() => {
    for (const server of [proxy, allowed, other]) server.close();
  });

  /** Sends raw bytes to the proxy and returns everything it answers until it closes or goes quiet. */
  function exchange(request: string): Promise<string> {
    return new Promise((resolve) => {
      const client = net.connect(socket);
      let answer = '';
      let timer: NodeJS.Timeout;
      const done = () => {
        clearTimeout(timer);
        client.destroy();
        resolve(answer);
      };
      const quiet = () => {
        clearTimeout(timer);
        timer = setTimeout(done, 300);
      };
      client.on('data', (chunk) => {
        answer += chunk.toString();
        quiet();
      });
      client.on('close', done);
      client.write(request);
      timer = setTimeout(done, 3000);
    });
  }

  it('tunnels CONNECT and forwards absolute http:// requests to an allowed address', async () => {
    const tunnel = await exchange(`CONNECT 127.0.0.1:${allowedPort} HTTP/1.1\r\n\r\nGET / HTTP/1.0\r\n\r\n`);
    expect(tunnel).toMatch(/^HTTP\/1.1 200 Connection Established/);
    expect(tunnel).toContain('allowed-ok');
    const plain = await exchange(`GET http://127.0.0.1:${allowedPort}/x HTTP/1.0\r\nHost: elsewhere.example\r\n\r\n`);
    expect(plain).toMatch(/^HTTP\/1.1 200/);
    // The Host header names the allowed destination, whatever the agent wrote.
    expect(plain).toContain(`allowed-ok for 127.0.0.1:${allowedPort}`);
  });

  it('refuses other destinations, a name that resolves to a local address, and origin-form requests', async () => {
    const denied = await exchange(`CONNECT 127.0.0.1:${otherPort} HTTP/1.1\r\n\r\n`);
    expect(denied).toMatch(/^HTTP\/1.1 403 Forbidden/);
    expect(denied).toContain(`127.0.0.1:${otherPort} is not on the egress allow-list of agent W1`);
    expect(denied).not.toContain('other-body');
    const local = await exchange(`CONNECT localhost:${otherPort} HTTP/1.1\r\n\r\n`);
    expect(local).toMatch(/^HTTP\/1.1 403/);
    expect(local).toContain('resolves to the local address');
    expect(await exchange('GET / HTTP/1.0\r\n\r\n')).toMatch(/^HTTP\/1.1 400/);
    expect(lines.filter((line) => line.decision === 'denied').map((line) => `${line.host}:${line.port}`)).toEqual([
      `127.0.0.1:${otherPort}`,
      `localhost:${otherPort}`,
    ]);
  });
});
