// Whether a process still runs, or a socket still answers: for tests and benches that check what survived a stop, a detach or a kill.
import fs from 'node:fs';
import net from 'node:net';

/** Running or sleeping; a zombie (killed, waiting for a busy init to reap it) counts as gone. */
export function isAlive(pid: number): boolean {
  try {
    return !/^State:\s+Z/m.test(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
  } catch {
    return false;
  }
}

/** Whether something accepts connections on a unix socket. */
export function socketAnswers(file: string): Promise<boolean> {
  return new Promise((resolve) => {
    const connection = net.connect(file);
    connection.once('connect', () => {
      connection.destroy();
      resolve(true);
    });
    connection.once('error', () => resolve(false));
  });
}
