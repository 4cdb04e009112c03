// The pty holder (Debian's dtach) an agent runs under in its container, so the agent outlives the supervisor.
import type Docker from 'dockerode';
import { shellQuote } from '../core/shell-quote.js';
import {
  clientFile,
  holderSocket,
  killHolderClient,
  killScript,
  pidFile,
  recordedCommand,
  recordSelf,
  runInContainer,
} from './agent-process.js';
import type { ContainerAgent } from './container-agent.js';

/**
 * How an agent's process starts in its container:
 * - `reattach`: a holder from an earlier supervisor still runs the agent; attach to it (same process, same
 *   conversation);
 * - `hold`: start the agent under a new holder, which keeps it and its pty when the `docker exec` client goes;
 * - `plain`: the image has no dtach; the agent runs right under `docker exec` and ends with the supervisor.
 */
export type AgentLaunch = 'reattach' | 'hold' | 'plain';

/**
 * No detach key (-E: every byte is the agent's), no suspend key (-z: ctrl-z goes to the agent), and a SIGWINCH on
 * attach (-r winch) so a full-screen program redraws for the new client.
 */
const DTACH_OPTIONS = '-E -z -r winch';

/** The agent's exit code, written by the shell inside the holder: dtach's own client always exits 0. */
function exitFile(agent: Pick<ContainerAgent, 'id'>): string {
  return `/tmp/ralph-agent-${agent.id}.exit`;
}

/** Exit codes of prepareScript. */
const PREPARED: Record<number, AgentLaunch> = { 0: 'reattach', 3: 'plain', 4: 'hold' };

/**
 * Shell run in the container before each launch. Ends the holder client a dead supervisor left attached; then, when
 * the holder's socket is there and the recorded agent pid is alive with the same start time, exits 0 and touches
 * nothing. Otherwise kills whatever is left of the agent (killScript) and exits 4 when the image has dtach, else 3.
 */
export function prepareScript(agent: Pick<ContainerAgent, 'id'>, graceSeconds = 3): string {
  const pids = pidFile(agent);
  return [
    killHolderClient(agent),
    `if [ -S ${holderSocket(agent)} ] && [ -f ${pids} ]; then`,
    `  set -- $(cat ${pids})`,
    `  if [ -n "$1" ] && [ "$1" -gt 1 ] && [ "$(cut -d' ' -f22 /proc/$1/stat 2>/dev/null)" = "$2" ]; then exit 0; fi`,
    'fi',
    `(\n${killScript(agent, graceSeconds)}\n)`,
    'command -v dtach >/dev/null 2>&1 || exit 3',
    'exit 4',
  ].join('\n');
}

/**
 * Finds out how to launch the agent (see AgentLaunch), ending leftovers on the way (see prepareScript). An exec that
 * fails or answers something else is taken as `plain`, today's behaviour: a fresh agent right under `docker exec`.
 */
export async function prepareAgentProcess(
  docker: Docker,
  containerId: string,
  agent: Pick<ContainerAgent, 'id'>,
  graceSeconds = 3,
): Promise<AgentLaunch> {
  const code = await runInContainer(docker, containerId, prepareScript(agent, graceSeconds));
  return (code !== null && PREPARED[code]) || 'plain';
}

/**
 * The shell text `docker exec … sh -c` runs for the agent. `plain` is recordedCommand. Under a holder the exec'd shell
 * records itself (the client, so the next supervisor can end an orphaned attach), attaches with dtach (`-A` creates
 * the holder running the recorded agent, `-a` attaches to a running one), and passes the agent's exit code on when
 * the agent ended (the socket is gone): the Ralph loop's backoff needs it.
 */
export function launchCommand(
  agent: Pick<ContainerAgent, 'id'> & { command: string },
  how: AgentLaunch,
  script = `exec ${agent.command}`,
): string {
  if (how === 'plain') return recordedCommand(agent, script);
  const socket = holderSocket(agent);
  const exit = exitFile(agent);
  const attach =
    how === 'reattach'
      ? `dtach -a ${socket} ${DTACH_OPTIONS}`
      : `rm -f ${exit}; dtach -A ${socket} ${DTACH_OPTIONS} sh -c ${shellQuote(recordedCommand(agent, `(\n${script}\n); echo $? > ${exit}`))}`;
  return [
    recordSelf(clientFile(agent)),
    // The docker CLI sizes the exec's tty just after it started it (measured: `stty size` reads "0 0" at first):
    // wait for the size (up to 3 s on a loaded machine), so the holder and the agent start with the pane's.
    `i=0; while [ "$(stty size 2>/dev/null)" = '0 0' ] && [ $i -lt 60 ]; do sleep 0.05; i=$((i+1)); done`,
    // dtach clears the screen when it attaches: the pane's visible rows (the last session, a restart note, a restored
    // transcript) first scroll up into its scrollback instead of being erased.
    `rows=$(stty size 2>/dev/null | cut -d' ' -f1); printf '\\033[999;1H'; yes '' | head -n "\${rows:-0}"`,
    attach,
    // The agent ended (its holder took the socket with it): dtach's "[EOF - dtach terminating]" line goes, so the
    // agent's own last line (a CLI's one-sentence error) is what the pane ends with and the exit problem quotes.
    `code=$?; if [ ! -S ${socket} ]; then printf '\\033[1A\\033[2K\\r'; [ -f ${exit} ] && code=$(cat ${exit}); fi; exit $code`,
  ].join('\n');
}
