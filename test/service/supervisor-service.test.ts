import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { connectSocket, ServiceClient } from '../../src/service/service-client.js';
import { MessageReader, parseClientMessage, PROTOCOL_VERSION } from '../../src/service/service-protocol.js';
import { serviceSocketPath } from '../../src/service/service-socket.js';
import { SupervisorService } from '../../src/service/supervisor-service.js';
import type { Terminal } from '../../src/supervisor/index.js';
import { makeWorkspace, waitUntil } from '../supervisor/workspace.js';

/**
 * The service and a screen's copy of the panes, in one process with real ptys and a real socket: what a screen
 * attaching sees must be exactly what the service's emulator holds, scrollback and colours included.
 */
const services: SupervisorService[] = [];
const clients: ServiceClient[] = [];
afterEach(async () => {
  for (const client of clients.splice(0)) client.detach();
  await Promise.all(services.splice(0).map((service) => service.close({ why: 'test over' })));
});

/** Every line of a terminal (scrollback and screen), with the SGR colours each cell carries. */
function contents(terminal: Terminal): string[] {
  const buffer = terminal.buffer.active;
  const lines: string[] = [];
  for (let row = 0; row < buffer.length; row++) {
    const line = buffer.getLine(row)!;
    let text = '';
    for (let x = 0; x < line.length; x++) {
      const cell = line.getCell(x)!;
      text += `${cell.getFgColor()}:${cell.isBold()}:${cell.getChars() || ' '}|`;
    }
    lines.push(text.replace(/(-?\d+:\d:\s\|)+$/, ''));
  }
  return lines.filter((line, index, all) => index < all.length - 1 || line !== '');
}

/** An agent printing `count` coloured lines, then `READY`, then echoing what it is sent. */
function printer(count: number): string {
  const script = `for (let i = 0; i < ${count}; i++) process.stdout.write('\\x1b[3' + (i % 8) + 'm' + (i % 3 ? '\\x1b[1m' : '') + 'line ' + i + ' ' + 'x'.repeat(i % 90) + '\\x1b[0m\\r\\n'); process.stdout.write('READY\\r\\n'); process.stdin.setRawMode(true); process.stdin.on('data', (d) => process.stdout.write('GOT ' + d + '\\r\\n'));`;
  return `'${process.execPath}' -e "${script}"`;
}

async function startService(agents: number, lines: number) {
  const { root, config } = makeWorkspace({
    agents: Array.from({ length: agents }, (_, index) => ({
      id: `W${index}`,
      role: index === 0 ? 'orchestrator' : 'worker',
      kind: 'custom',
      command: printer(lines),
      prompt: 'off',
    })),
  });
  const log: string[] = [];
  const service = new SupervisorService({
    workspace: root,
    config,
    cols: 100,
    rows: 30,
    log: (line) => log.push(line),
  });
  services.push(service);
  await service.start();
  return { root, service, log };
}

async function attach(root: string, readOnly = false): Promise<ServiceClient> {
  const client = await ServiceClient.attach(await connectSocket(serviceSocketPath(root)), { readOnly });
  clients.push(client);
  return client;
}

const parsed = (terminal: Terminal) => new Promise<void>((resolve) => terminal.write('', resolve));
const screenText = (terminal: Terminal) => {
  const buffer = terminal.buffer.active;
  return Array.from({ length: buffer.length }, (_, row) => buffer.getLine(row)!.translateToString(true)).join('\n');
};

describe('a screen attached to the supervisor service', () => {
  it('gets each pane exactly as the service holds it — scrollback, colours, cursor — then every later write', async () => {
    const { root, service } = await startService(2, 3000);
    const sessions = ['W0', 'W1'].map((id) => service.supervisor.session(id));
    await waitUntil(
      () => sessions.every((s) => screenText(s.terminal).includes('READY')),
      20_000,
      'both agents printed everything',
    );

    const client = await attach(root);
    for (const id of ['W0', 'W1']) {
      const served = service.supervisor.session(id).terminal;
      await waitUntil(
        () => client.supervisor.session(id).terminal.buffer.active.length > 3000,
        20_000,
        `${id}'s scrollback restored`,
      );
      const mirror = client.supervisor.session(id).terminal;
      await parsed(mirror);
      await parsed(served);
      expect(contents(mirror)).toEqual(contents(served));
      expect([mirror.buffer.active.cursorX, mirror.buffer.active.cursorY]).toEqual([
        served.buffer.active.cursorX,
        served.buffer.active.cursorY,
      ]);
    }

    // Keys from the screen reach the agent; its answer reaches the screen's copy.
    client.supervisor.write('W1', 'k');
    await waitUntil(
      () => screenText(client.supervisor.session('W1').terminal).includes('GOT k'),
      20_000,
      'the echo in the mirror',
    );
    expect(contents(client.supervisor.session('W1').terminal)).toEqual(
      contents(service.supervisor.session('W1').terminal),
    );
  }, 60_000);

  it('gets live output only for the panes it shows; a pane shown again is rebuilt with what it missed', async () => {
    const { root, service } = await startService(2, 50);
    const ready = (id: string) => screenText(service.supervisor.session(id).terminal).includes('READY');
    await waitUntil(() => ready('W0') && ready('W1'), 20_000, 'both agents ready');
    const client = await attach(root);
    await waitUntil(
      () => screenText(client.supervisor.session('W1').terminal).includes('READY'),
      20_000,
      'W1 mirrored',
    );
    client.supervisor.showing!(['W0']);
    client.supervisor.write('W0', 'a');
    await waitUntil(
      () => screenText(client.supervisor.session('W0').terminal).includes('GOT a'),
      20_000,
      'W0 still live',
    );
    client.supervisor.write('W1', 'b');
    await waitUntil(
      () => screenText(service.supervisor.session('W1').terminal).includes('GOT b'),
      20_000,
      'the service got it',
    );
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(screenText(client.supervisor.session('W1').terminal)).not.toContain('GOT b');

    client.supervisor.showing!(['W1']);
    await waitUntil(() => screenText(client.supervisor.session('W1').terminal).includes('GOT b'), 20_000, 'W1 rebuilt');
    await waitUntil(
      () => client.supervisor.session('W1').terminal.buffer.active.length > 50,
      20_000,
      'W1 with its scrollback',
    );
    await parsed(client.supervisor.session('W1').terminal);
    expect(contents(client.supervisor.session('W1').terminal)).toEqual(
      contents(service.supervisor.session('W1').terminal),
    );
  }, 30_000);

  it('a resize from one screen resizes the agent’s pty and every other screen’s copy', async () => {
    const { root, service } = await startService(1, 10);
    await waitUntil(() => screenText(service.supervisor.session('W0').terminal).includes('READY'), 20_000, 'READY');
    const one = await attach(root);
    const two = await attach(root);
    one.supervisor.resize('W0', 70, 20);
    await waitUntil(() => two.supervisor.session('W0').terminal.cols === 70, 20_000, 'the second screen follows');
    expect(service.supervisor.session('W0').terminal.rows).toBe(20);
    expect(two.supervisor.session('W0').terminal.rows).toBe(20);
  }, 30_000);

  it('a read-only screen sees the output but cannot change anything', async () => {
    const { root, service } = await startService(1, 10);
    await waitUntil(() => screenText(service.supervisor.session('W0').terminal).includes('READY'), 20_000, 'READY');
    const watcher = await attach(root, true);
    expect(watcher.readOnly).toBe(true);
    watcher.supervisor.write('W0', 'z');
    await expect(watcher.supervisor.stopGraceful()).rejects.toThrow('this screen is read-only');
    expect(fs.existsSync(path.join(root, 'orchestration', 'shared', 'STOP'))).toBe(false);
    const control = await attach(root);
    control.supervisor.write('W0', 'y');
    await waitUntil(
      () => screenText(watcher.supervisor.session('W0').terminal).includes('GOT y'),
      20_000,
      'the controlling screen’s key echoed',
    );
    expect(screenText(service.supervisor.session('W0').terminal)).not.toContain('GOT z');
  }, 30_000);

  it('refuses a broken or foreign client with one sentence and keeps serving the others', async () => {
    const { root, service } = await startService(1, 10);
    const good = await attach(root);
    const reply = async (line: string) => {
      const socket = net.connect(serviceSocketPath(root));
      let text = '';
      socket.on('data', (chunk) => (text += chunk.toString()));
      socket.write(line);
      await new Promise((resolve) => socket.on('close', resolve));
      return text;
    };
    expect(await reply('{"t":"hello","version":999}\n')).toContain('another ralph-tui version');
    expect(await reply('not json\n')).toContain('refused');
    expect(
      await reply(`{"t":"hello","version":${PROTOCOL_VERSION}}\n{"t":"write","id":"../etc","data":"x"}\n`),
    ).toMatch(/bad message \(id\)/);
    expect(await reply('{"t":"write","id":"W0","data":"x"}\n')).toContain('says hello first');
    good.supervisor.write('W0', 'q');
    await waitUntil(
      () => screenText(good.supervisor.session('W0').terminal).includes('GOT q'),
      20_000,
      'the good screen still served',
    );
    expect(service.screenCount).toBe(1);
  }, 30_000);

  it('the socket is private; ending the service tells every screen why', async () => {
    const { root, service } = await startService(1, 10);
    expect(fs.statSync(serviceSocketPath(root)).mode & 0o777).toBe(0o600);
    const client = await attach(root);
    await service.close({ why: 'asked to stop' });
    expect(await client.ended).toContain('asked to stop');
    expect(fs.existsSync(serviceSocketPath(root))).toBe(false);
  }, 30_000);
});

describe('the service protocol', () => {
  it('splits lines across chunks, UTF-8 split across chunks included, and refuses an endless line', () => {
    const reader = new MessageReader(64);
    const bytes = Buffer.from('{"a":"é"}\n{"b":1}\n{"c"');
    expect(reader.push(bytes.subarray(0, 7))).toEqual([]);
    expect(reader.push(bytes.subarray(7))).toEqual([{ a: 'é' }, { b: 1 }]);
    expect(reader.push(Buffer.from(':2}\n'))).toEqual([{ c: 2 }]);
    expect(() => reader.push(Buffer.from('x'.repeat(100)))).toThrow('longer than 64 bytes');
  });

  it('names the field of a message it refuses', () => {
    expect(parseClientMessage({ t: 'resize', id: 'W1', cols: 0, rows: 10 })).toEqual({
      error: expect.stringContaining('(cols)'),
    });
    expect(parseClientMessage({ t: 'launch-missiles' })).toEqual({ error: expect.stringContaining('bad message') });
    expect(parseClientMessage({ t: 'nudge', id: 'W3' })).toEqual({ message: { t: 'nudge', id: 'W3' } });
  });

  it('a workspace path too long for a socket address gets a socket in a private folder of this user', () => {
    const long = path.join('/tmp', 'x'.repeat(120));
    const socket = serviceSocketPath(long);
    expect(Buffer.byteLength(socket)).toBeLessThan(100);
    expect(socket).toBe(serviceSocketPath(long));
    expect(serviceSocketPath('/tmp/short')).toBe('/tmp/short/.ralph/service.sock');
  });
});
