// Lint rules that keep the house standing: imports run downward only (core → solver → orchestration/docker →
// src → components), components stay presentational, no import cycles, and workspace files go through the
// safe file layer. `npm test` runs this (see the "lint" script), so no one has to remember the rules.
import tseslint from 'typescript-eslint';
import importX from 'eslint-plugin-import-x';
import prettier from 'eslint-config-prettier';
import { createTypeScriptImportResolver } from 'eslint-import-resolver-typescript';

/** Patterns that forbid importing a folder of ours, written once per layer. */
const ours = (folder) => [`**/${folder}/**`, `../${folder}/*`, `../../${folder}/*`];
const forbid = (folders, why) => ({ group: folders.flatMap(ours), message: why });

const layer = (files, rule) => ({ files, rules: { 'no-restricted-imports': ['error', { patterns: [rule] }] } });

/**
 * The trust boundary: code that touches agent-reachable paths uses core/safe-fs.ts (no links followed, regular files
 * only, size caps, non-blocking opens), never node:fs or write-file-atomic (which resolves links) itself. Type-only
 * imports are fine. The exceptions never open a workspace path; test/core/fs-boundary.test.ts reads this list too.
 */
export const fsBoundary = {
  files: [
    'orchestration/**',
    'components/**',
    'src/supervisor/**',
    'src/agents/**',
    'src/experiments/**',
    'src/commands/**',
    'src/app/**',
    'src/init/**',
    'src/service/**',
    'src/config.ts',
    'docker/container-records.ts',
  ],
  exceptions: {
    'src/service/service-socket.ts':
      "the socket's folder under the temporary folder when the workspace path is too long for a socket address (outside the workspace, checked: a private folder of this user, not a link), and chmod of the socket itself",
    'orchestration/log-follower.ts':
      'fs.watch / fs.watchFile for change notifications only; every read goes through openRead',
    'orchestration/run-status.ts': 'readlink of /proc/self/ns/pid, not a workspace path',
    'src/app/frame-metrics.ts':
      'writes the benchmark file named by RALPH_FRAME_METRICS, a path the person running the bench chose',
    'src/commands/image.ts': 'stat of the workspace folder itself (its owner uid for the image), which a person named',
    'src/commands/claude-setup.ts':
      "runs as the agent itself (in its container or as its user), on the agent's own Claude config, before its CLI starts: nothing the host supervisor reads",
    'src/commands/init.ts':
      "realpath of `ralph-tui` on PATH and of this install's bin script (the start command it prints), never a workspace path",
  },
};
const fsModules = ['fs', 'node:fs', 'fs/promises', 'node:fs/promises', 'write-file-atomic'];

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'workspace/**', 'coverage/**', '**/*.js', '**/*.mjs', '**/*.cjs'] },
  ...tseslint.configs.recommended,
  importX.flatConfigs.typescript,
  prettier,
  {
    files: ['**/*.{ts,tsx}'],
    settings: { 'import-x/resolver-next': [createTypeScriptImportResolver({ project: './tsconfig.json' })] },
    rules: {
      'import-x/no-cycle': ['error', { ignoreExternal: true }],
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' },
      ],
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      'max-len': [
        'error',
        { code: 160, ignoreUrls: true, ignoreStrings: true, ignoreTemplateLiterals: true, ignoreRegExpLiterals: true },
      ],
    },
  },
  {
    files: fsBoundary.files,
    ignores: Object.keys(fsBoundary.exceptions),
    rules: {
      // A rule of its own name, so the layer rules' no-restricted-imports for the same files still apply.
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          paths: fsModules.map((name) => ({
            name,
            allowTypeImports: true,
            message: 'workspace paths go through core/safe-fs.ts (docs/security.md).',
          })),
        },
      ],
    },
  },
  layer(
    ['core/**'],
    forbid(
      ['solver', 'orchestration', 'docker', 'src', 'components'],
      'core/ is the bottom layer: it imports nothing of ours.',
    ),
  ),
  layer(
    ['solver/**'],
    forbid(
      ['orchestration', 'docker', 'src', 'components'],
      'solver/ knows nothing of the TUI: it may import core/ only.',
    ),
  ),
  layer(
    ['orchestration/**', 'docker/**'],
    forbid(
      ['src', 'components'],
      'orchestration/ and docker/ are libraries: they never import the application (src/) or the screen (components/).',
    ),
  ),
  {
    files: ['components/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [
            'fs',
            'node:fs',
            'fs/promises',
            'node:fs/promises',
            'child_process',
            'node:child_process',
            'node-pty',
            'dockerode',
            'execa',
          ].map((name) => ({
            name,
            message: 'components/ are presentational: effects live in src/ services.',
          })),
          patterns: [
            forbid(
              ['solver', 'orchestration', 'docker', 'core'],
              'components/ import view-model types from src/app only.',
            ),
            {
              ...forbid(['src'], 'components/ import view-model types (import type) from src/app only.'),
              allowTypeImports: true,
            },
          ],
        },
      ],
    },
  },
);
