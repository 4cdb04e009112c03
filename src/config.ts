// The ralph.config.json schema: agents, engines, prompts, loop settings and their defaults.
import path from 'node:path';
import { z } from 'zod';
import { CONFIG_MAX_BYTES, DEFAULT_PASS_ENV, passEnvNames, secretsOf } from './config-fields.js';
import { readText } from '../core/safe-fs.js';
import { UserError, zodToUserError } from '../core/errors.js';
import { DEFAULT_TARGET } from '../orchestration/coordination.js';
import { parseJsonText } from '../core/json-file.js';
import { workspacePaths } from '../core/workspace-paths.js';
import { isHostNetwork } from '../docker/container-spec.js';
import { DEFAULT_EGRESS_ALLOW, parseAllowEntry } from '../docker/egress-proxy.js';

export const DEFAULT_CLAUDE_COMMAND = 'claude --dangerously-skip-permissions';
export const DEFAULT_IMAGE = 'ralph-agent:latest';
export const DEFAULT_NUDGE =
  'Continue: read ITERATION_LOG.md and the queue, and run the next experiment. Do not summarise.';

/** A Docker engine other than the default one: unix socket path, tcp://host:port (TLS files optional), ssh://user@host. */
export const EngineConfig = z.union([
  z.string().min(1),
  z.object({
    host: z.string().min(1),
    ca: z.string().optional(),
    cert: z.string().optional(),
    key: z.string().optional(),
    /** For ssh://: the known_hosts file that must hold the host's key (default ~/.ssh/known_hosts, /etc/ssh/ssh_known_hosts). */
    knownHosts: z.string().optional(),
  }),
]);
export type EngineConfig = z.infer<typeof EngineConfig>;

const AllowEntry = z.string().superRefine((entry, ctx) => {
  try {
    parseAllowEntry(entry);
  } catch (error) {
    ctx.addIssue({ code: 'custom', message: (error as Error).message });
  }
});

/**
 * What an agent's container may reach (through the egress proxy) when `network` is not set. `allow` replaces the
 * inherited list (the default: the Anthropic API, npm, PyPI, GitHub), `add` extends it.
 */
export const EgressConfig = z
  .object({
    allow: z.array(AllowEntry).optional(),
    add: z.array(AllowEntry).optional(),
    /** The network of the proxy container (default: the engine's bridge, else the host's). */
    proxyNetwork: z.string().min(1).optional(),
  })
  .strict();
export type EgressConfig = z.infer<typeof EgressConfig>;

/** How the prompt reaches the agent once it is ready: not at all, from a file, or a literal text. */
export const PromptConfig = z.union([
  z.literal('off'),
  z.object({ file: z.string().min(1) }).strict(),
  z.object({ text: z.string().min(1) }).strict(),
]);
export type PromptConfig = z.infer<typeof PromptConfig>;

/** A worker's research focus, written into its prompt (and used by the built-in orchestrator). */
export const FocusConfig = z.object({
  area: z.string().min(1),
  searchSpace: z.string().min(1),
});
export type FocusConfig = z.infer<typeof FocusConfig>;

const cpusetPattern = /^\d+(-\d+)?(,\d+(-\d+)?)*$/;

export const AgentConfig = z
  .object({
    id: z.string().regex(/^W\d+$/, 'expected an id like W0, W1, ...'),
    role: z.enum(['orchestrator', 'worker']),
    /** "builtin" runs `ralph-tui agent --id <id>`; "claude" runs `command` (default: claude --dangerously-skip-permissions). */
    kind: z.enum(['claude', 'builtin', 'custom']).default('claude'),
    runtime: z.enum(['docker', 'local']).optional(),
    command: z.string().min(1).optional(),
    prompt: PromptConfig.optional(),
    cpuset: z.string().regex(cpusetPattern, 'expected a cpuset like "2-3" or "2,4"').optional(),
    cpus: z.number().positive().optional(),
    memory: z
      .union([
        z.string().regex(/^\d+(\.\d+)?[kmgKMG]?[bB]?$/, 'expected a size like "8g"'),
        z.number().int().positive(),
      ])
      .optional(),
    pidsLimit: z.number().int().positive().optional(),
    env: z.record(z.string(), z.string()).default({}),
    /** Names of host environment variables passed through (values never logged or stored). */
    passEnv: z.array(z.string()).optional(),
    image: z.string().min(1).optional(),
    engine: EngineConfig.optional(),
    containerName: z
      .string()
      .regex(/^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/)
      .optional(),
    gpus: z.union([z.literal('all'), z.number().int().positive()]).optional(),
    focus: FocusConfig.optional(),
    /** Docker network mode for this agent's container (default: none, with egress through the allow-list proxy). */
    network: z.string().min(1).optional(),
    claudeOnboarding: z.enum(['seed', 'off']).optional(),
    /** `network: host` or `container:…` put the agent in another network namespace, unfiltered: only with this set. */
    allowHostNetwork: z.boolean().optional(),
    egress: EgressConfig.optional(),
  })
  .strict();
export type AgentConfig = z.infer<typeof AgentConfig>;

export const LoopConfig = z
  .object({
    /** Restart after a clean exit. */
    restartDelayMs: z.number().int().min(0).default(2_000),
    /** Restart after an error exit or a session shorter than shortSessionSeconds; doubles each time up to the cap. */
    errorBackoffMs: z.number().int().min(0).default(10_000),
    maxBackoffMs: z.number().int().min(0).default(300_000),
    shortSessionSeconds: z.number().min(0).default(60),
    /** No output for this long → state "idle". */
    idleSeconds: z.number().positive().default(30),
    /** Idle for this long → send the nudge text. */
    idleNudgeMinutes: z.number().positive().default(10),
    nudgeText: z.string().min(1).default(DEFAULT_NUDGE),
    wrapUpPhrases: z
      .array(z.string().min(1))
      .default(['Session complete', 'Summary of', 'That concludes', 'I have completed all']),
    /** Output must be quiet this long after start before the prompt is pasted. */
    readySettleMs: z.number().int().min(0).default(1_500),
    /** An agent that prints nothing at all gets its prompt after this long (a silent start is not "settled"). */
    readyTimeoutMs: z.number().int().min(0).default(30_000),
    /** Screen rules that mean the agent waits for a person (regular expressions). */
    // Claude Code's permission boxes ("Do you want to proceed?", "Do you want to make this edit to …?",
    // "Do you want to create …?") all start the same way; hooks are the reliable route, this is the fallback.
    needsInputPatterns: z
      .array(z.string())
      .default([
        'Do you want to (proceed|make this edit|create|run)',
        '\\(y/n\\)',
        'Allow this',
        'Press Enter to continue',
      ]),
    /**
     * Claude Code's first-run screens (texts of 2.1.332): while one shows, the prompt waits (pasted with its Enter
     * it would answer the screen: "No, exit" is the default of the trust and bypass screens) and the agent needs input.
     */
    setupScreenPatterns: z
      .array(z.string())
      .default([
        'Do you want to use this API key',
        'Yes, I trust this folder',
        'Bypass Permissions mode',
        'Choose the text style',
        'Unable to connect to Anthropic services',
      ]),
    /** The CLI asks for a login: the agent "needs login", the prompt waits and nudges stop until someone logs in. */
    loginScreenPatterns: z.array(z.string()).default(['Select login method', 'Not logged in']),
  })
  .strict();
export type LoopConfig = z.infer<typeof LoopConfig>;

export const ExperimentCommand = z.object({ name: z.string().min(1), command: z.string().min(1) }).strict();
export type ExperimentCommand = z.infer<typeof ExperimentCommand>;

export const RalphConfig = z
  .object({
    $schema: z.string().optional(),
    version: z.literal(1).default(1),
    /** Used in container names: ralph-<name>-<id>. Defaults to the workspace folder's name. */
    name: z
      .string()
      .regex(/^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/)
      .optional(),
    targetScore: z.number().positive().default(DEFAULT_TARGET),
    /** The competition's budget: 400 samples in 60 minutes. */
    budgetMinutes: z.number().positive().default(60),
    /** Worker count at which budgets are projected (the competition's 7). */
    budgetWorkers: z.number().int().positive().default(7),
    runtime: z.enum(['docker', 'local']).default('local'),
    image: z.string().min(1).default(DEFAULT_IMAGE),
    engine: EngineConfig.optional(),
    /** Docker network mode for every agent container unless an agent sets its own. */
    network: z.string().min(1).optional(),
    /** `network: host` or `container:…` put the agent in another network namespace, unfiltered: only with this set. */
    allowHostNetwork: z.boolean().optional(),
    egress: EgressConfig.optional(),
    passEnv: z.array(z.string()).default([...DEFAULT_PASS_ENV]),
    /**
     * "seed": Claude agents start with their first-run screens answered as a person would (onboarding done, the
     * workspace trusted, the bypass warning accepted, the passed API key approved); "off": a person answers them.
     */
    claudeOnboarding: z.enum(['seed', 'off']).default('seed'),
    loop: LoopConfig.default(LoopConfig.parse({})),
    agents: z.array(AgentConfig).min(1, 'expected at least one agent'),
    experiments: z
      .object({
        dataset: z.string().min(1).default('data/synthetic.json'),
        /** Threads per experiment run; default: the worker's cores, else cores − 1. */
        workers: z.number().int().positive().optional(),
        commands: z.array(ExperimentCommand).default([]),
        /** ExperimentConfig overrides every experiment starts from; the built-in workers layer each queue entry's config over them. */
        base: z.record(z.string(), z.unknown()).optional(),
      })
      .strict()
      .default({ dataset: 'data/synthetic.json', commands: [] }),
  })
  .strict()
  .superRefine((config, ctx) => {
    const seen = new Set<string>();
    config.agents.forEach((agent, index) => {
      if (seen.has(agent.id))
        ctx.addIssue({ code: 'custom', path: ['agents', index, 'id'], message: `duplicate agent id ${agent.id}` });
      seen.add(agent.id);
      const network = agent.network ?? config.network;
      if (isHostNetwork(network) && !(agent.allowHostNetwork ?? config.allowHostNetwork)) {
        ctx.addIssue({
          code: 'custom',
          path: agent.network ? ['agents', index, 'network'] : ['network'],
          message: `network "${network}" gives agent ${agent.id} the host's network without the egress allow-list; set "allowHostNetwork": true to allow it`,
        });
      }
    });
  });
export type RalphConfig = z.infer<typeof RalphConfig>;

/** An agent with every default applied: what the supervisor actually runs. */
export interface ResolvedAgent extends Omit<
  AgentConfig,
  'runtime' | 'command' | 'prompt' | 'image' | 'passEnv' | 'containerName' | 'egress' | 'claudeOnboarding'
> {
  claudeOnboarding: 'seed' | 'off';
  runtime: 'docker' | 'local';
  /** Destinations the egress proxy lets through (see EgressConfig). */
  egressAllow: string[];
  egressProxyNetwork?: string;
  command: string;
  prompt: PromptConfig;
  image: string;
  passEnv: string[];
  containerName: string;
}

export function resolveAgent(config: RalphConfig, agent: AgentConfig, workspace: string): ResolvedAgent {
  const name = config.name ?? sanitizeName(path.basename(workspace));
  const builtin = agent.kind === 'builtin';
  const { egress, ...rest } = agent;
  const inherited = egress?.allow ?? config.egress?.allow ?? DEFAULT_EGRESS_ALLOW;
  return {
    ...rest,
    egressAllow: [...new Set([...inherited, ...(config.egress?.add ?? []), ...(egress?.add ?? [])])],
    egressProxyNetwork: egress?.proxyNetwork ?? config.egress?.proxyNetwork,
    allowHostNetwork: agent.allowHostNetwork ?? config.allowHostNetwork,
    runtime: agent.runtime ?? config.runtime,
    command: agent.command ?? (builtin ? `ralph-tui agent --id ${agent.id}` : DEFAULT_CLAUDE_COMMAND),
    prompt: agent.prompt ?? (builtin ? 'off' : { file: `orchestration/shared/prompt_${agent.id}.txt` }),
    image: agent.image ?? config.image,
    engine: agent.engine ?? config.engine,
    network: agent.network ?? config.network,
    passEnv: agent.passEnv ?? config.passEnv,
    containerName: agent.containerName ?? `ralph-${name}-${agent.id}`,
    claudeOnboarding: agent.claudeOnboarding ?? config.claudeOnboarding,
  };
}

/** Every agent of the config, resolved. */
export function resolveAgents(config: RalphConfig, workspace: string): ResolvedAgent[] {
  return config.agents.map((agent) => resolveAgent(config, agent, workspace));
}

function sanitizeName(name: string): string {
  return name.replace(/[^a-zA-Z0-9_.-]/g, '-').replace(/^[^a-zA-Z0-9]+/, '') || 'workspace';
}

/** Validates a parsed config object; errors name the file and field. */
export function parseConfig(raw: unknown, source = 'ralph.config.json'): RalphConfig {
  const result = RalphConfig.safeParse(raw);
  if (!result.success) throw zodToUserError(result.error, source);
  return result.data;
}

/**
 * Loads ralph.config.json. A file that fails to parse stops with a clear error — never a silent
 * fall-back to defaults (a ccmanager complaint, see ARCHITECTURE.md).
 */
export function loadConfig(workspace: string): RalphConfig {
  const file = workspacePaths(workspace).config;
  let text: string | null;
  try {
    text = readText(file, { maxBytes: CONFIG_MAX_BYTES });
  } catch (error) {
    if (error instanceof UserError) throw error;
    throw new UserError(`cannot read ${file}: ${(error as Error).message}`);
  }
  if (text === null)
    throw new UserError(`no ralph.config.json in ${workspace} — run \`ralph-tui init ${workspace}\` first`);
  return parseConfig(parseJsonText(text, file), file);
}

export { configuredTarget, workspaceSecrets } from './config-fields.js';

/**
 * Every value the config makes secret: the host values of any passEnv name (workspace-wide and per agent) and
 * agents' literal env entries named like credentials. Redacted from every stream that reaches a file or stdout.
 */
export function configSecrets(config: RalphConfig, env: NodeJS.ProcessEnv = process.env): string[] {
  return secretsOf(config, env);
}

/** Every passEnv name of the config (workspace-wide and per agent). */
export function configPassEnv(config: RalphConfig): string[] {
  return passEnvNames(config);
}
