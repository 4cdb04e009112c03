#!/usr/bin/env node
/**
 * stream-agent.mjs — an agent that streams coloured output at a fixed rate (for bench:tui and the e2e tests)
 * and echoes every key it receives at once as `KEY<text>` (so keystroke-to-echo latency can be measured).
 *
 *   --rate BYTES_PER_SECOND   default 200000; 0 = only echo
 *   --seconds S               stop streaming after S seconds (default: never)
 *   --lines N                 print N lines at once (widths varying from a few words to more than a row), then
 *                             `end of <id>'s N lines` and stay quiet (a pane with a full scrollback, for bench:attach)
 *   --input-line              echo on the top row, which stays put while rows 2..N scroll (a scroll region,
 *                             like Claude Code's input box under streaming output): the echo is on screen in
 *                             the next frame however fast the stream runs (lines then skip the scrollback)
 */
const args = process.argv.slice(2);
const value = (name, fallback) => {
  const at = args.indexOf(name);
  return at >= 0 && at + 1 < args.length ? args[at + 1] : fallback;
};
const rate = Number(value('--rate', '200000'));
const seconds = Number(value('--seconds', 'Infinity'));
const id = process.env.RALPH_AGENT_ID ?? 'W?';
const lines = Number(value('--lines', '0'));

if (process.stdin.isTTY) process.stdin.setRawMode(true);
const inputLine = args.includes('--input-line');
/** Rows 2..N scroll; row 1 is the input line. */
function setRegion() {
  const rows = process.stdout.rows || 24;
  process.stdout.write(`\x1b[2;${rows}r\x1b[${rows};1H`);
}
if (inputLine) {
  setRegion();
  process.stdout.on('resize', setRegion);
}

process.stdin.on('data', (data) => {
  const text = data.toString('utf8');
  if (text === '\x03') process.exit(130);
  const shown = text.replace(/[\x00-\x1f]/g, (c) => `^${String.fromCharCode(c.charCodeAt(0) + 64)}`);
  // Input line: save cursor, write on row 1, restore, so the stream continues where it was.
  process.stdout.write(inputLine ? `\x1b7\x1b[1;1H\x1b[2KKEY${shown}\x1b8` : `\r\nKEY${shown}\r\n`);
});

const colours = [31, 32, 33, 34, 35, 36, 91, 92, 93, 94, 95, 96];
let line = 0;
/** `tokens`: six in the stream (the width bench:tui's figures were taken with); varied for --lines. */
function makeLine(tokens = 6) {
  line++;
  const c = colours[line % colours.length];
  const parts = [`\x1b[1;${c}m${id}\x1b[0m`, `\x1b[2m${String(line).padStart(7)}\x1b[0m`];
  for (let i = 0; i < tokens; i++)
    parts.push(`\x1b[38;5;${(line * 7 + i * 31) % 256}mtoken_${(line * 13 + i) % 997}\x1b[0m`);
  parts.push(`\x1b[38;2;${line % 256};${(line * 3) % 256};200mrgb\x1b[0m`);
  return parts.join(' ') + '\r\n';
}

process.stdout.write(`stream agent ${id} at ${rate} B/s\r\n`);
if (lines > 0) {
  // From 1 to 16 tokens (about 20 to 260 columns): short lines, full ones and lines the pane wraps.
  const all = Array.from({ length: lines }, (_, index) => makeLine(1 + ((index * 7) % 16))).join('');
  process.stdout.write(`${all}\x1b[1mend of ${id}'s ${lines} lines\x1b[0m\r\n`);
}
const started = Date.now();
const tickMs = 20;
if (rate > 0) {
  let owed = 0;
  const timer = setInterval(() => {
    if ((Date.now() - started) / 1000 > seconds) {
      clearInterval(timer);
      return;
    }
    owed += (rate * tickMs) / 1000;
    let chunk = '';
    while (owed > 0) {
      const next = makeLine();
      chunk += next;
      owed -= Buffer.byteLength(next);
    }
    process.stdout.write(chunk);
  }, tickMs);
}
