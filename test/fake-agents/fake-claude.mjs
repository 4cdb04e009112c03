#!/usr/bin/env node
/**
 * fake-claude.mjs — a stand-in for Claude Code in tests (no network, no API key). Run it as an agent command,
 * e.g. `"command": "node test/fake-agents/fake-claude.mjs --exit-after-prompt 3"`.
 *
 * Always:
 *   - prints a Claude-like coloured banner ("✻ Welcome to Fake Claude", agent id from RALPH_AGENT_ID);
 *   - puts the terminal in raw mode and enables bracketed paste (ESC[?2004h), like Claude Code's Ink UI;
 *   - collects input until Enter (CR) and then prints one line `RECEIVED <json text> (paste|typed)`:
 *     "paste" when the text arrived inside ESC[200~ … ESC[201~; control characters in the text are kept;
 *   - prints `> ` as its input prompt; Ctrl-C exits with code 130.
 *
 * Options (combine freely):
 *   --no-bracketed-paste     never enable bracketed paste (input is reported as "typed")
 *   --banner-delay MS        wait MS before the banner (an agent that is slow to start)
 *   --exit-after-prompt CODE after the first message, print two "⏺ Working…" lines, then exit with CODE
 *   --work-ms MS             how long the work before that exit (or before the --wrap-up summary) takes (default 100)
 *   --exit-immediately CODE  print the banner and exit with CODE at once (a crashing agent)
 *   --wrap-up                after every message work --work-ms, then print a summary ending in "Session complete"
 *                            and go quiet
 *   --ask                    after the first message print "Do you want to proceed? (y/n)" and wait; "y" answers
 *                            it (prints `ANSWERED y`)
 *   --silent                 never print anything after the banner except the RECEIVED lines (an idle agent)
 *   --count-file FILE        append one line per start to FILE (how many times the loop started it)
 */
import fs from 'node:fs';

const args = process.argv.slice(2);
const flag = (name) => args.includes(name);
const value = (name, fallback) => {
  const at = args.indexOf(name);
  return at >= 0 && at + 1 < args.length ? args[at + 1] : fallback;
};

const bracketed = !flag('--no-bracketed-paste');
const exitAfterPrompt = value('--exit-after-prompt');
const exitImmediately = value('--exit-immediately');
const workMs = Number(value('--work-ms', '100'));
const countFile = value('--count-file');
const id = process.env.RALPH_AGENT_ID ?? 'W?';

const out = (text) => process.stdout.write(text);
const dim = (text) => `\x1b[2m${text}\x1b[0m`;
const orange = (text) => `\x1b[38;5;208m${text}\x1b[0m`;

if (countFile) fs.appendFileSync(countFile, `${id} ${process.pid}\n`);

await new Promise((resolve) => setTimeout(resolve, Number(value('--banner-delay', '0'))));
out(`${orange('✻')} Welcome to ${'\x1b[1m'}Fake Claude${'\x1b[0m'} ${dim(`(${id})`)}\r\n`);
out(`${dim('  cwd: ' + process.cwd())}\r\n`);
if (exitImmediately !== undefined) process.exit(Number(exitImmediately));

if (process.stdin.isTTY) process.stdin.setRawMode(true);
if (bracketed) out('\x1b[?2004h');
out('> ');

let input = '';
let pasted = false;
let inPaste = false;
let pending = '';
let messages = 0;
let asking = false;

process.stdin.on('data', (data) => {
  pending += data.toString('utf8');
  for (;;) {
    if (inPaste) {
      const end = pending.indexOf('\x1b[201~');
      if (end < 0) {
        // Keep a possible partial end marker for the next read.
        const keep = Math.min(pending.length, 5);
        input += pending.slice(0, pending.length - keep);
        pending = pending.slice(pending.length - keep);
        return;
      }
      input += pending.slice(0, end);
      pending = pending.slice(end + 6);
      inPaste = false;
      continue;
    }
    if (pending.length === 0) return;
    if (pending.startsWith('\x1b[200~')) {
      pending = pending.slice(6);
      inPaste = true;
      pasted = true;
      continue;
    }
    if (pending.startsWith('\x1b') && pending.length < 6 && '\x1b[200~'.startsWith(pending)) return;
    const char = pending[0];
    pending = pending.slice(1);
    if (char === '\x03') {
      out('\r\n');
      process.exit(130);
    }
    if (char === '\r') {
      submit(input, pasted);
      input = '';
      pasted = false;
    } else {
      input += char;
    }
  }
});

function submit(text, wasPasted) {
  out(`\r\nRECEIVED ${JSON.stringify(text)} (${wasPasted ? 'paste' : 'typed'})\r\n`);
  messages += 1;
  if (asking) {
    if (text.trim() === 'y') {
      asking = false;
      out('ANSWERED y\r\n> ');
    }
    return;
  }
  if (flag('--silent')) return out('> ');
  if (exitAfterPrompt !== undefined && messages === 1) {
    out(`${orange('⏺')} Working…\r\n`);
    setTimeout(() => {
      out(`${orange('⏺')} Working… done\r\n`);
      process.exit(Number(exitAfterPrompt));
    }, workMs);
    return;
  }
  if (flag('--ask') && messages === 1) {
    asking = true;
    out(`${orange('⏺')} Bash(rm -rf build)\r\n  \x1b[1mDo you want to proceed?\x1b[0m (y/n) `);
    return;
  }
  if (flag('--wrap-up')) {
    out(`${orange('⏺')} Running experiment ${messages}…\r\n`);
    setTimeout(() => {
      out(
        `${orange('⏺')} Ran experiment ${messages}.\r\n\r\n\x1b[1m## Summary\x1b[0m\r\nBest score so far: 1.08.\r\n\x1b[32mSession complete\x1b[0m.\r\n> `,
      );
    }, workMs);
    return;
  }
  out(`${orange('⏺')} OK\r\n> `);
}
