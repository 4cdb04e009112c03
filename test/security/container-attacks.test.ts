import fs from 'node:fs';
import http from 'node:http';
import type net from 'node:net';
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AgentContainers, ralphInstallDir } from '../../docker/index.js';
import { parseConfig, resolveAgent } from '../../src/config.js';
import { Supervisor } from '../../src/supervisor/index.js';
import { makeTempDir, workspaceName } from '../helpers/cli.js';
import { dockerTestsEnabled, ensureTestImage } from '../docker/test-image.js';
import { EventRecorder } from '../supervisor/workspace.js';

const enabled = await dockerTestsEnabled('hostile agent in a real container');

/**
 * What a hostile agent tries from inside its container. Each line of attack-results.txt is "<attack> <outcome>",
 * where the outcome is what the attempt achieved ("got-in" means the boundary failed).
 */
function hostileScript(allowedPort: number, deniedPort: number, hostAddress: string): string {
  const attempt = (name: string, command: string) =>
    `if ( ${command} ) >/dev/null 2>&1; then echo "${name} got-in"; else echo "${name} blocked"; fi >> $OUT`;
  const proxy = (request: string) => `(printf '${request}'; sleep 1) | nc -w 3 127.0.0.1 3128`;
  return [
    'OUT=/workspace/attack-results.txt; : > $OUT',
    attempt('read-events', 'cat /workspace/.ralph/events.jsonl'),
    attempt('read-transcripts', 'ls /workspace/.ralph/transcripts/W1.log'),
    attempt('read-records', 'cat /workspace/.ralph/containers.json'),
    attempt('write-ralph', 'echo x > /workspace/.ralph/planted'),
    attempt('replace-shim', 'mkdir -p /workspace/.ralph/bin && echo "#!/bin/sh" > /workspace/.ralph/bin/ralph-tui'),
    attempt('edit-config', 'echo "{\\"runtime\\":\\"local\\"}" > /workspace/ralph.config.json'),
    attempt('rename-config', 'mv /workspace/ralph.config.json /workspace/old.json'),
    attempt('unlink-config', 'rm -f /workspace/ralph.config.json && [ ! -e /workspace/ralph.config.json ]'),
    attempt('replace-wrapper', 'echo "#!/bin/sh" > /opt/ralph-tui/docker/bin/ralph-tui'),
    attempt('edit-data', 'echo poisoned > /workspace/data/synthetic.json'),
    attempt('see-other-status', 'ls /workspace/.ralph/agents/W2'),
    attempt('write-own-status', `printf '{"state":"working","time":1}' > "$RALPH_STATUS_FILE"`),
    attempt(
      'egress-allowed',
      `${proxy(`GET http://127.0.0.1:${allowedPort}/ HTTP/1.0\\r\\n\\r\\n`)} | grep -q allowed-ok`,
    ),
    attempt(
      'egress-denied-proxy',
      `${proxy(`CONNECT 127.0.0.1:${deniedPort} HTTP/1.1\\r\\n\\r\\n`)} | grep -q "200 Connection"`,
    ),
    attempt(
      'egress-metadata',
      `${proxy('GET http://169.254.169.254/latest/meta-data/ HTTP/1.0\\r\\n\\r\\n')} | grep -q "^HTTP/1.1 200"`,
    ),
    attempt('egress-direct', `echo | nc -w 3 ${hostAddress} ${deniedPort}`),
    attempt('interfaces', `[ "$(ls /sys/class/net)" != lo ]`),
    'echo done >> $OUT',
    'exec sleep 600',
  ].join('\n');
}

describe.runIf(enabled)('a hostile agent in a real container', () => {
  let workspace: string;
  let supervisor: Supervisor;
  let recorder: EventRecorder;
  let allowed: http.Server;
  let denied: http.Server;
  const hostConfig = () => fs.readFileSync(path.join(workspace, 'ralph.config.json'), 'utf8');
  let configText: string;
  let foreign: string;
  let results: Map<string, string>;

  beforeAll(async () => {
    const image = await ensureTestImage(undefined, { withNode: true });
    const listen = (server: http.Server, host: string) =>
      new Promise<number>((resolve) =>
        server.listen(0, host, () => resolve((server.address() as net.AddressInfo).port)),
      );
    allowed = http.createServer((_req, res) => res.end('allowed-ok'));
    // Listening on every address: if the agent had any route to the host, it would get through.
    denied = http.createServer((_req, res) => res.end('secret-service'));
    const allowedPort = await listen(allowed, '127.0.0.1');
    const deniedPort = await listen(denied, '0.0.0.0');
    const hostAddress = (await execa('hostname', ['-I'])).stdout.trim().split(/\s+/)[0] ?? '127.0.0.1';

    workspace = makeTempDir('hostile-');
    fs.mkdirSync(path.join(workspace, 'data'));
    fs.writeFileSync(path.join(workspace, 'data', 'synthetic.json'), '{"samples":[]}\n');
    fs.writeFileSync(path.join(workspace, 'attack.sh'), hostileScript(allowedPort, deniedPort, hostAddress));
    fs.mkdirSync(path.join(workspace, '.ralph', 'bin'), { recursive: true });
    fs.writeFileSync(path.join(workspace, '.ralph', 'bin', 'ralph-tui'), '#!/bin/sh\necho the real shim\n', {
      mode: 0o755,
    });
    const raw = {
      name: workspaceName('hostile', workspace),
      runtime: 'docker',
      image,
      egress: { allow: [`127.0.0.1:${allowedPort}`] },
      loop: { restartDelayMs: 60_000, errorBackoffMs: 60_000 },
      agents: [
        { id: 'W1', role: 'worker', kind: 'custom', command: 'sh /workspace/attack.sh', prompt: 'off' },
        { id: 'W2', role: 'worker', kind: 'custom', command: 'sleep 600', prompt: 'off' },
        // The person's explicit choice of an unfiltered network: allowed, and marked.
        {
          id: 'W3',
          role: 'worker',
          kind: 'custom',
          command: 'sleep 600',
          prompt: 'off',
          network: 'host',
          allowHostNetwork: true,
        },
      ],
    };
    configText = `${JSON.stringify(raw, null, 2)}\n`;
    fs.writeFileSync(path.join(workspace, 'ralph.config.json'), configText);
    await execa('chown', ['-R', '1000:1000', workspace]);
    foreign = `${raw.name}-bystander`;
    await execa('docker', ['run', '-d', '--name', foreign, '--network', 'none', image, 'sleep', '600']);

    supervisor = new Supervisor({ workspace, config: parseConfig(raw), cols: 100, rows: 30 });
    recorder = new EventRecorder(supervisor);
    await supervisor.start();
    const file = path.join(workspace, 'attack-results.txt');
    for (let i = 0; i < 600 && !(fs.existsSync(file) && fs.readFileSync(file, 'utf8').includes('done')); i++)
      await new Promise((resolve) => setTimeout(resolve, 100));
    results = new Map(
      fs
        .readFileSync(file, 'utf8')
        .trim()
        .split('\n')
        .filter((line) => line !== 'done')
        .map((line) => line.split(' ') as [string, string]),
    );
  });

  afterAll(async () => {
    await supervisor?.shutdown({ down: true });
    if (workspace) await new AgentContainers({ workspace, ralphInstallDir: ralphInstallDir() }).down([], 1, true);
    if (foreign) await execa('docker', ['rm', '-f', foreign], { reject: false });
    allowed?.close();
    denied?.close();
  });

  it("cannot read the supervisor's transcripts, events or container records", () => {
    expect(results.get('read-events')).toBe('blocked');
    expect(results.get('read-transcripts')).toBe('blocked');
    expect(results.get('read-records')).toBe('blocked');
  });

  it('cannot change the config, the shim, the wrapper in the install, the dataset, or plant files in .ralph', () => {
    for (const attack of [
      'write-ralph',
      'replace-shim',
      'edit-config',
      'rename-config',
      'unlink-config',
      'replace-wrapper',
      'edit-data',
    ])
      expect([attack, results.get(attack)]).toEqual([attack, 'blocked']);
    expect(hostConfig()).toBe(configText);
    expect(fs.readFileSync(path.join(workspace, '.ralph', 'bin', 'ralph-tui'), 'utf8')).toBe(
      '#!/bin/sh\necho the real shim\n',
    );
    expect(fs.existsSync(path.join(workspace, '.ralph', 'planted'))).toBe(false);
    expect(fs.readFileSync(path.join(workspace, 'data', 'synthetic.json'), 'utf8')).toBe('{"samples":[]}\n');
  });

  it('sees only its own status folder, which it can write', () => {
    expect(results.get('see-other-status')).toBe('blocked');
    expect(results.get('write-own-status')).toBe('got-in');
    expect(fs.readFileSync(path.join(workspace, '.ralph', 'agents', 'W1', 'status.json'), 'utf8')).toContain('working');
  });

  it('reaches an allowed endpoint but not another one, nor cloud metadata, nor the host directly; refusals are events', async () => {
    expect(results.get('egress-allowed')).toBe('got-in');
    expect(results.get('egress-denied-proxy')).toBe('blocked');
    expect(results.get('egress-metadata')).toBe('blocked');
    expect(results.get('egress-direct')).toBe('blocked');
    expect(results.get('interfaces')).toBe('blocked');
    await recorder.waitFor(
      (event) =>
        event.type === 'warning' &&
        event.agent === 'W1' &&
        /egress refused: .*169\.254\.169\.254/.test(event.reason ?? ''),
    );
    const events = fs.readFileSync(path.join(workspace, '.ralph', 'events.jsonl'), 'utf8');
    expect(events).toMatch(
      /"type":"warning","reason":"egress refused: 127\.0\.0\.1:\d+ is not on the egress allow-list of agent W1"/,
    );
    expect(
      supervisor
        .getSnapshot()
        .agents.filter((agent) => agent.problem)
        .map((agent) => agent.id),
    ).toEqual(['W3']);
  });

  it('an agent on the host network (allowHostNetwork) is never silently open: its tab and the event log say so', async () => {
    await recorder.waitFor((event) => event.type === 'warning' && event.agent === 'W3');
    // The tab shows an agent's problem with ⚠ (and the footer repeats it).
    expect(supervisor.getSnapshot().agents.find((agent) => agent.id === 'W3')?.problem).toBe(
      'network host: egress is not filtered (allowHostNetwork)',
    );
  });

  it('a container record pointing at another container is refused, and that container survives a forced stop', async () => {
    const recordsFile = path.join(workspace, '.ralph', 'containers.json');
    const records = JSON.parse(fs.readFileSync(recordsFile, 'utf8'));
    const { stdout: foreignId } = await execa('docker', ['inspect', '-f', '{{.Id}}', foreign]);
    records.containers.W2.id = foreignId;
    fs.writeFileSync(recordsFile, JSON.stringify(records));
    await supervisor.stopForced();
    expect(
      recorder
        .of('error', 'W2')
        .map((event) => event.reason)
        .join('\n'),
    ).toContain(
      `names container ${foreign} for agent W2, but it is not this workspace's W2 container — refusing to touch it`,
    );
    expect((await execa('docker', ['inspect', '-f', '{{.State.Running}}', foreign])).stdout).toBe('true');
  });

  it('a config asking for the host network is refused unless allowHostNetwork says so', () => {
    const raw = JSON.parse(configText);
    expect(() => parseConfig({ ...raw, network: 'host' })).toThrow('set "allowHostNetwork": true to allow it');
    const config = parseConfig({ ...raw, agents: [{ ...raw.agents[0], network: 'host', allowHostNetwork: true }] });
    expect(resolveAgent(config, config.agents[0]!, workspace)).toMatchObject({
      network: 'host',
      allowHostNetwork: true,
    });
  });
});
