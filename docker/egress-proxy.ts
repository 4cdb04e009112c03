// The allow-list HTTP proxy between an agent's container (which has no network of its own) and the outside.
import dns from 'node:dns/promises';
import http from 'node:http';
import net from 'node:net';

/**
 * What an agent may reach by default, as Anthropic's Claude Code devcontainer allows (the Anthropic API and its
 * telemetry, npm, GitHub) plus PyPI for the experiments' Python packages.
 */
export const DEFAULT_EGRESS_ALLOW = [
  'api.anthropic.com',
  'statsig.anthropic.com',
  'sentry.io',
  'registry.npmjs.org',
  'pypi.org',
  'files.pythonhosted.org',
  'github.com',
  'api.github.com',
  'codeload.github.com',
  '*.githubusercontent.com',
];

/** One allow-list entry: a host name, `*.domain` (any subdomain), or an IP address; with `:port`, only that port. */
export interface AllowRule {
  host: string;
  wildcard: boolean;
  port?: number;
}

/** Ports an entry without `:port` allows: HTTPS and plain HTTP. */
const DEFAULT_PORTS = new Set([443, 80]);

function normaliseHost(host: string): string {
  return host
    .trim()
    .toLowerCase()
    .replace(/^\[(.*)\]$/, '$1')
    .replace(/\.$/, '');
}

/** Parses "host", "host:port", "*.domain", "10.0.0.5:8080", "[::1]:8080"; throws a one-sentence error otherwise. */
export function parseAllowEntry(entry: string): AllowRule {
  const text = entry.trim();
  const bracketed = /^\[([0-9a-f:.]+)\](?::(\d+))?$/i.exec(text);
  const plain = /^(\*\.)?([a-z0-9_.-]+)(?::(\d+))?$/i.exec(text);
  let rule: AllowRule | undefined;
  if (bracketed)
    rule = {
      host: normaliseHost(bracketed[1]!),
      wildcard: false,
      port: bracketed[2] ? Number(bracketed[2]) : undefined,
    };
  else if (net.isIPv6(text)) rule = { host: normaliseHost(text), wildcard: false };
  else if (plain && (plain[2]!.includes('.') || plain[2] === 'localhost')) {
    rule = {
      host: normaliseHost(plain[2]!),
      wildcard: Boolean(plain[1]),
      port: plain[3] ? Number(plain[3]) : undefined,
    };
  }
  if (!rule || (rule.port !== undefined && (rule.port < 1 || rule.port > 65_535))) {
    throw new Error(`egress allow-list entry "${entry}" is not a host, *.domain or IP address with an optional :port`);
  }
  return rule;
}

/** The rule that lets `host:port` through, if any. */
export function matchAllow(rules: readonly AllowRule[], host: string, port: number): AllowRule | undefined {
  const name = normaliseHost(host);
  return rules.find((rule) => {
    const portOk = rule.port === undefined ? DEFAULT_PORTS.has(port) : rule.port === port;
    if (!portOk) return false;
    return rule.wildcard ? name.endsWith(`.${rule.host}`) : name === rule.host;
  });
}

/**
 * Addresses a host name must not resolve to unless the entry names the address itself: loopback, link-local
 * (cloud metadata endpoints such as 169.254.169.254), unspecified and multicast. An allowed name whose DNS answer
 * points there would otherwise reach the proxy's own machine.
 */
export function isLocalAddress(address: string): boolean {
  if (net.isIPv4(address)) {
    const [a, b] = address.split('.').map(Number) as [number, number];
    return a === 127 || a === 0 || (a === 169 && b === 254) || a >= 224;
  }
  const v6 = address.toLowerCase();
  if (v6.startsWith('::ffff:')) return isLocalAddress(v6.slice(7));
  return (
    v6 === '::1' ||
    v6 === '::' ||
    v6.startsWith('fe8') ||
    v6.startsWith('fe9') ||
    v6.startsWith('fea') ||
    v6.startsWith('feb') ||
    v6.startsWith('ff')
  );
}

/** One line the proxy prints (JSON on stdout); the supervisor turns `denied` lines into events. */
export interface EgressLogLine {
  ralph: 'egress';
  decision: 'listening' | 'allowed' | 'denied' | 'failed';
  host?: string;
  port?: number;
  reason?: string;
  time: string;
}

export interface EgressProxyOptions {
  allow: readonly string[];
  /** Who the proxy serves, for the denial text the agent reads. */
  agent: string;
  log: (line: EgressLogLine) => void;
  connectTimeoutMs?: number;
}

type Decision = { ok: true; address: string } | { ok: false; reason: string };

/**
 * The proxy: CONNECT tunnels (HTTPS, git, npm, pip, uv, the claude CLI) and absolute-form plain HTTP requests, to
 * allowed hosts only. Everything else gets a 403 whose text says how to widen the list.
 */
export function createEgressProxy(options: EgressProxyOptions): http.Server {
  const rules = options.allow.map(parseAllowEntry);
  const timeout = options.connectTimeoutMs ?? 15_000;
  const log = (line: Omit<EgressLogLine, 'ralph' | 'time'>) =>
    options.log({ ralph: 'egress', time: new Date().toISOString(), ...line });

  const decide = async (host: string, port: number): Promise<Decision> => {
    const rule = matchAllow(rules, host, port);
    if (!rule)
      return { ok: false, reason: `${host}:${port} is not on the egress allow-list of agent ${options.agent}` };
    const literal = net.isIP(normaliseHost(host)) ? normaliseHost(host) : undefined;
    let address = literal;
    if (!address) {
      try {
        address = (await dns.lookup(normaliseHost(host))).address;
      } catch (error) {
        return { ok: false, reason: `cannot resolve ${host} (${(error as NodeJS.ErrnoException).code ?? 'error'})` };
      }
    }
    if (!literal && isLocalAddress(address))
      return {
        ok: false,
        reason: `${host} resolves to the local address ${address}, which only an allow-list entry naming that address may reach`,
      };
    return { ok: true, address };
  };

  const deny = (host: string, port: number, reason: string) => {
    log({ decision: 'denied', host, port, reason });
    return `ralph-tui egress: ${reason} (widen "egress" in ralph.config.json to allow it)\n`;
  };

  const server = http.createServer((req, res) => {
    let url: URL;
    try {
      url = new URL(req.url ?? '');
      if (url.protocol !== 'http:') throw new Error('not http');
    } catch {
      res
        .writeHead(400, { 'content-type': 'text/plain' })
        .end('ralph-tui egress: only absolute http:// requests and CONNECT are proxied\n');
      return;
    }
    const host = url.hostname;
    const port = Number(url.port || 80);
    void decide(host, port).then((decision) => {
      if (!decision.ok) {
        res.writeHead(403, { 'content-type': 'text/plain' }).end(deny(host, port, decision.reason));
        return;
      }
      const headers = { ...req.headers };
      for (const name of ['proxy-connection', 'proxy-authorization', 'connection', 'keep-alive']) delete headers[name];
      // The allowed host is the one asked for, not another site behind the same address.
      headers.host = url.host;
      const upstream = http.request({
        host: decision.address,
        port,
        method: req.method,
        path: `${url.pathname}${url.search}`,
        headers,
        timeout,
      });
      upstream.on('response', (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      });
      upstream.on('timeout', () => upstream.destroy(new Error('timed out')));
      upstream.on('error', (error) => {
        log({ decision: 'failed', host, port, reason: error.message });
        if (!res.headersSent) res.writeHead(502, { 'content-type': 'text/plain' });
        res.end(`ralph-tui egress: ${host}:${port} failed (${error.message})\n`);
      });
      req.pipe(upstream);
      log({ decision: 'allowed', host, port });
    });
  });

  server.on('connect', (req: http.IncomingMessage, client: net.Socket, head: Buffer) => {
    client.on('error', () => client.destroy());
    let host: string;
    let port: number;
    try {
      const url = new URL(`http://${req.url ?? ''}`);
      host = url.hostname;
      port = Number(url.port || 443);
    } catch {
      client.end('HTTP/1.1 400 Bad Request\r\n\r\n');
      return;
    }
    void decide(host, port).then((decision) => {
      if (!decision.ok) {
        const body = deny(host, port, decision.reason);
        client.end(
          `HTTP/1.1 403 Forbidden\r\ncontent-type: text/plain\r\ncontent-length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
        );
        return;
      }
      const upstream = net.connect({ host: decision.address, port, timeout });
      upstream.once('connect', () => {
        upstream.setTimeout(0);
        log({ decision: 'allowed', host, port });
        client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
        if (head.length) upstream.write(head);
        upstream.pipe(client);
        client.pipe(upstream);
      });
      upstream.on('timeout', () => upstream.destroy(new Error('timed out')));
      upstream.on('error', (error) => {
        log({ decision: 'failed', host, port, reason: error.message });
        if (client.writable) client.end(`HTTP/1.1 502 Bad Gateway\r\n\r\n`);
      });
      client.on('close', () => upstream.destroy());
    });
  });
  return server;
}
