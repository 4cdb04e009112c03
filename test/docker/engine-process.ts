import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import { execa } from 'execa';
import { dockerAvailable } from './test-image.js';

/**
 * Starts a dockerd of the test's own (socket, data root, exec root, pid file under /tmp, vfs storage) with extra
 * flags, and waits until it answers. Throws with the log file's name when it does not.
 */
export async function startDockerd(name: string, extra: string[]): Promise<ChildProcess> {
  const socket = `/tmp/${name}.sock`;
  const logFile = `/tmp/${name}.log`;
  // Another test run's engine on the same socket would be stopped under it by that run.
  if (await dockerAvailable(socket))
    throw new Error(`a dockerd already answers on ${socket}: another test run is using it`);
  const log = fs.openSync(logFile, 'a');
  const child = spawn(
    'dockerd',
    [
      '-H',
      `unix://${socket}`,
      '--data-root',
      `/tmp/${name}`,
      '--exec-root',
      `/tmp/${name}-x`,
      '--pidfile',
      `/tmp/${name}.pid`,
      '--storage-driver=vfs',
      ...extra,
    ],
    { stdio: ['ignore', log, log] },
  );
  for (let i = 0; i < 160; i++) {
    if (await dockerAvailable(socket)) return child;
    if (child.exitCode !== null) break;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  child.kill('SIGTERM');
  throw new Error(`the test dockerd ${name} did not answer on ${socket}; see ${logFile}`);
}

/** SIGTERM, up to 15 s for the engine to stop its containers, then SIGKILL. */
export async function stopDockerd(child: ChildProcess | undefined): Promise<void> {
  if (!child || child.exitCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 15_000))]);
  if (child.exitCode === null) child.kill('SIGKILL');
}

/**
 * The host's packet filter and forwarding switch before an engine with iptables changes them; the returned
 * function puts them back (and removes the bridge it made), so the machine is left as the test found it.
 */
export async function saveHostNetwork(bridge: string): Promise<() => Promise<void>> {
  const rules = {
    filter: (await execa('iptables-save', ['-t', 'filter'])).stdout,
    nat: (await execa('iptables-save', ['-t', 'nat'])).stdout,
  };
  const forwarding = fs.readFileSync('/proc/sys/net/ipv4/ip_forward', 'utf8');
  return async () => {
    for (const text of Object.values(rules)) await execa('iptables-restore', [], { input: `${text}\n` });
    fs.writeFileSync('/proc/sys/net/ipv4/ip_forward', forwarding);
    await execa('ip', ['link', 'delete', bridge], { reject: false });
  };
}
