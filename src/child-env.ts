// The environment local agents and experiment children get: an allow-list of the host's, never all of it.

/** Host variables a program needs to behave (find tools, its home, the terminal, the locale, the time zone). */
const ALLOWED = new Set([
  'PATH',
  'HOME',
  'USER',
  'LOGNAME',
  'SHELL',
  'TERM',
  'COLORTERM',
  'LANG',
  'LANGUAGE',
  'TZ',
  'TMPDIR',
]);

/**
 * The allow-listed part of `host`: the names above, LC_*, RALPH_*, and the configured passEnv names (the API
 * keys an agent is meant to have). Anything else on the host — cloud credentials, tokens, SSH agent sockets —
 * stays on the host.
 */
export function childEnvironment(
  passEnv: Iterable<string>,
  host: NodeJS.ProcessEnv = process.env,
): Record<string, string> {
  const passed = new Set(passEnv);
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(host)) {
    if (value === undefined) continue;
    if (ALLOWED.has(name) || name.startsWith('LC_') || name.startsWith('RALPH_') || passed.has(name)) env[name] = value;
  }
  return env;
}
