// Entry point run inside containers by the image's node: the egress proxy (sidecar) or the agent-side forwarder.
import fs from 'node:fs';
import net from 'node:net';
import { createEgressProxy } from './egress-proxy.js';

/**
 * `proxy SOCKET`: the allow-list proxy on a unix socket (allow-list in RALPH_EGRESS_ALLOW as JSON, agent id in
 * RALPH_AGENT_ID). `forward SOCKET PORT`: inside the agent's container, which has only a loopback interface, relays
 * 127.0.0.1:PORT to that socket so HTTPS_PROXY=http://127.0.0.1:PORT works for every tool.
 */
function main(argv: string[]): void {
  const [mode, socket, port] = argv;
  const say = (line: object) =>
    process.stdout.write(`${JSON.stringify({ ralph: 'egress', time: new Date().toISOString(), ...line })}\n`);
  if (mode === 'proxy' && socket) {
    const allow = JSON.parse(process.env.RALPH_EGRESS_ALLOW ?? '[]') as string[];
    const server = createEgressProxy({
      allow,
      agent: process.env.RALPH_AGENT_ID ?? '?',
      log: (line) => process.stdout.write(`${JSON.stringify(line)}\n`),
    });
    fs.rmSync(socket, { force: true });
    server.listen(socket, () => {
      // The agent connects as the same uid through a read-only mount; nobody else needs it.
      fs.chmodSync(socket, 0o600);
      say({ decision: 'listening', reason: `${allow.length} allowed entries` });
    });
    process.on('SIGTERM', () => process.exit(0));
    return;
  }
  if (mode === 'forward' && socket && port) {
    const server = net.createServer((client) => {
      const upstream = net.connect(socket);
      client.on('error', () => upstream.destroy());
      upstream.on('error', () => client.destroy());
      client.pipe(upstream);
      upstream.pipe(client);
    });
    server.listen(Number(port), '127.0.0.1', () =>
      say({ decision: 'forwarding', reason: `127.0.0.1:${port} -> ${socket}` }),
    );
    process.on('SIGTERM', () => process.exit(0));
    return;
  }
  process.stderr.write('usage: egress-main.js proxy SOCKET | forward SOCKET PORT\n');
  process.exit(2);
}

main(process.argv.slice(2));
