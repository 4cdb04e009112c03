#!/usr/bin/env node
/**
 * key-agent.mjs — switches its terminal to application cursor keys (DECCKM, ESC[?1h, as full-screen programs
 * do) and prints every read as hex: `BYTES 1b 4f 41`. Shows exactly which bytes a key reached it as.
 */
if (process.stdin.isTTY) process.stdin.setRawMode(true);
process.stdout.write('\x1b[?1hkey agent ready\r\n');
process.stdin.on('data', (data) => {
  if (data.length === 1 && data[0] === 3) process.exit(130);
  process.stdout.write(`BYTES ${[...data].map((byte) => byte.toString(16).padStart(2, '0')).join(' ')}\r\n`);
});
