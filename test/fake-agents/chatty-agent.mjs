#!/usr/bin/env node
/**
 * chatty-agent.mjs — a fake agent that prints Claude-like coloured output at a steady rate, for bench:agents and
 * load tests of the screen.
 *
 *   --rate BYTES     bytes per second to print (default 204800, i.e. ~200 KB/s)
 *   --seconds S      stop printing and exit 0 after S seconds (default: run until killed)
 *   --no-timestamps  leave out the timing markers
 *
 * Every write (one every 10 ms) starts with an invisible timing marker, an OSC sequence the emulator ignores:
 * ESC ] 777 ; ralph-ts ; <epoch ms with µs decimals> BEL. A reader compares the marker with its own clock when
 * the emulator has parsed the chunk: the pty-write → emulator-parsed latency (same host, same clock).
 */
import { performance } from 'node:perf_hooks';

const args = process.argv.slice(2);
const value = (name, fallback) => {
  const at = args.indexOf(name);
  return at >= 0 && at + 1 < args.length ? args[at + 1] : fallback;
};
const rate = Number(value('--rate', '204800'));
const seconds = Number(value('--seconds', 'Infinity'));
const timestamps = !args.includes('--no-timestamps');
const TICK_MS = 10;

const lines = [
  (n) => `\x1b[38;5;208m⏺\x1b[0m \x1b[1mBash\x1b[0m(python run.py --config exp_${n % 97} --workers 2)\r\n`,
  (n) =>
    `  \x1b[2m⎿\x1b[0m  sample ${n % 400}/400  rmse=\x1b[32m0.0${(n * 7919) % 1000}\x1b[0m  q=[${(n % 13) / 10}, ${(n % 7) / 10}]  t=${(n % 60) + 0.5}s\r\n`,
  (n) =>
    `\x1b[38;5;208m⏺\x1b[0m Reading \x1b[4morchestration/shared/experiment_queue.json\x1b[0m (${n % 300} lines)\r\n`,
  (n) =>
    `  \x1b[36mscore\x1b[0m ${(1 + (n % 250) / 1000).toFixed(4)} @ ${(40 + (n % 30)).toFixed(1)} min  \x1b[33m▲ +0.00${n % 10}\x1b[0m  ${'█'.repeat(n % 20)}${'░'.repeat(20 - (n % 20))}\r\n`,
  (n) =>
    `\x1b[38;5;208m⏺\x1b[0m Update(\x1b[1mexperiments/cmaes_v${n % 12}/run.py\x1b[0m) \x1b[32m+${n % 40}\x1b[0m \x1b[31m-${n % 9}\x1b[0m\r\n`,
];

// The reader went away (pty closed, `| head`): nothing left to do.
process.stdout.on('error', () => process.exit(0));

const start = performance.now();
let written = 0;
let n = 0;

function tick() {
  const elapsed = (performance.now() - start) / 1000;
  if (elapsed >= seconds) process.exit(0);
  const due = Math.floor(rate * elapsed) - written;
  if (due > 0) {
    let body = '';
    while (Buffer.byteLength(body) < due) body += lines[n % lines.length](n++);
    // Stamped last, just before the write, so the marker measures the write → parse path only.
    const chunk = timestamps
      ? `\x1b]777;ralph-ts;${(performance.timeOrigin + performance.now()).toFixed(3)}\x07${body}`
      : body;
    written += Buffer.byteLength(chunk);
    process.stdout.write(chunk);
  }
}

setInterval(tick, TICK_MS);
