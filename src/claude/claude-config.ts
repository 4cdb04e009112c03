// Seeds a Claude Code config folder the way a person answers the first-run screens, and installs ralph-tui's state hooks.
import fs from 'node:fs';
import path from 'node:path';
import writeFileAtomic from 'write-file-atomic';

/**
 * Hook events → the state ralph-tui shows. Measured with Claude Code 2.1.332 (a hook logging every event):
 * PermissionRequest fires 0.3 s after PreToolUse when the permission box opens, Notification ("Claude needs your
 * permission") only ~6 s later, and Notification also fires for an idle prompt — so Notification is used only with
 * the permission_prompt matcher, and auth_success (a login finished) means the CLI is ready. PostToolUse marks the
 * end of a permission wait and the return to work; Stop is the end of a turn.
 */
export const HOOK_STATES: { event: string; matcher?: string; state: string }[] = [
  { event: 'UserPromptSubmit', state: 'working' },
  { event: 'PostToolUse', state: 'working' },
  { event: 'PermissionRequest', state: 'needs-input' },
  { event: 'Notification', matcher: 'permission_prompt', state: 'needs-input' },
  { event: 'Notification', matcher: 'auth_success', state: 'idle' },
  { event: 'Stop', state: 'idle' },
  { event: 'SessionEnd', state: 'stopped' },
];

/** How ralph-tui's own hooks are recognised among a user's hooks (replaced on every start, others kept). */
const HOOK_MARKER = 'RALPH_STATUS_FILE';

/**
 * The hook command: one small JSON object, written beside the status file and renamed over it so the supervisor
 * never reads half a report. The path comes from RALPH_STATUS_FILE, which the supervisor gives each agent, so the
 * status location can move without touching installed settings; without it the hook does nothing.
 */
export function hookCommand(state: string): string {
  return `[ -n "$${HOOK_MARKER}" ] && printf '{"state":"${state}","time":%s}' "$(date +%s%3N)" > "$${HOOK_MARKER}.tmp" && mv -f "$${HOOK_MARKER}.tmp" "$${HOOK_MARKER}" || true`;
}

type Json = Record<string, unknown>;
type HookGroup = { matcher?: string; hooks: { type: string; command: string }[] };

/** settings.json with ralph-tui's hooks in place of any earlier ones (a user's own hooks are kept). */
export function withRalphHooks(settings: Json): Json {
  const hooks: Record<string, HookGroup[]> = {};
  for (const [event, groups] of Object.entries((settings.hooks as Record<string, HookGroup[]> | undefined) ?? {})) {
    const kept = (Array.isArray(groups) ? groups : []).filter(
      (group) => !group?.hooks?.some((hook) => String(hook.command).includes(HOOK_MARKER)),
    );
    if (kept.length) hooks[event] = kept;
  }
  for (const { event, matcher, state } of HOOK_STATES) {
    hooks[event] = [
      ...(hooks[event] ?? []),
      { ...(matcher ? { matcher } : {}), hooks: [{ type: 'command', command: hookCommand(state) }] },
    ];
  }
  return { ...settings, hooks };
}

export interface OnboardingAnswers {
  /** The folder the agent works in (trusted, as "Yes, I trust this folder" records it). */
  workspace: string;
  /** An API key the agent runs with: approved as "Do you want to use this API key? Yes" records it. */
  apiKey?: string;
}

/**
 * `.claude.json` as a person leaves it after the first-run screens (verified against Claude Code 2.1.332 by answering
 * each screen and diffing the file): onboarding done (skips the theme screen and the connectivity check that
 * needs api.anthropic.com), the workspace trusted, the API key approved by its last 20 characters.
 */
export function withOnboarding(claudeJson: Json, answers: OnboardingAnswers): Json {
  const projects = { ...((claudeJson.projects as Record<string, Json> | undefined) ?? {}) };
  projects[answers.workspace] = { ...(projects[answers.workspace] ?? {}), hasTrustDialogAccepted: true };
  const next: Json = { ...claudeJson, hasCompletedOnboarding: true, projects };
  if (answers.apiKey) {
    const tail = answers.apiKey.slice(-20);
    const responses =
      (claudeJson.customApiKeyResponses as { approved?: string[]; rejected?: string[] } | undefined) ?? {};
    next.customApiKeyResponses = {
      approved: [...new Set([...(responses.approved ?? []), tail])],
      rejected: (responses.rejected ?? []).filter((entry) => entry !== tail),
    };
  }
  return next;
}

/** "Yes, I accept" on the bypass-permissions warning is stored in the user settings (not in .claude.json). */
export function withBypassAccepted(settings: Json): Json {
  return { ...settings, skipDangerousModePermissionPrompt: true };
}

export interface SetupOptions extends OnboardingAnswers {
  /** CLAUDE_CONFIG_DIR: holds .claude.json, settings.json and the login (.credentials.json). */
  configDir: string;
  /** Answer the first-run screens (false: install the hooks only). */
  onboarding: boolean;
  oauthToken?: string;
}

export interface SetupResult {
  /** No API key, no OAuth token and no stored login: a person has to log in once. */
  needsLogin: boolean;
  /** Files that could not be read as JSON and were left as they were. */
  skipped: string[];
}

/** Applies the hooks (and, unless turned off, the onboarding answers) to a config folder; idempotent. */
export function setupClaudeConfig(options: SetupOptions): SetupResult {
  fs.mkdirSync(options.configDir, { recursive: true, mode: 0o700 });
  const skipped: string[] = [];
  const update = (name: string, change: (value: Json) => Json) => {
    const file = path.join(options.configDir, name);
    let current: Json = {};
    try {
      const text = fs.readFileSync(file, 'utf8');
      current = text.trim() ? (JSON.parse(text) as Json) : {};
      if (!current || typeof current !== 'object' || Array.isArray(current)) throw new Error('not an object');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') {
        skipped.push(file);
        return;
      }
    }
    writeFileAtomic.sync(file, `${JSON.stringify(change(current), null, 2)}\n`, { mode: 0o600 });
  };
  update('settings.json', (settings) =>
    options.onboarding ? withBypassAccepted(withRalphHooks(settings)) : withRalphHooks(settings),
  );
  if (options.onboarding) update('.claude.json', (claudeJson) => withOnboarding(claudeJson, options));
  const loggedIn = fs.existsSync(path.join(options.configDir, '.credentials.json'));
  return { needsLogin: !options.apiKey && !options.oauthToken && !loggedIn, skipped };
}
