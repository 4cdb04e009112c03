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
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      'max-len': ['error', { code: 160, ignoreUrls: true, ignoreStrings: true, ignoreTemplateLiterals: true, ignoreRegExpLiterals: true }],
    },
  },
  layer(['core/**'], forbid(['solver', 'orchestration', 'docker', 'src', 'components'], 'core/ is the bottom layer: it imports nothing of ours.')),
  layer(['solver/**'], forbid(['orchestration', 'docker', 'src', 'components'], 'solver/ knows nothing of the TUI: it may import core/ only.')),
  layer(['orchestration/**', 'docker/**'], forbid(['src', 'components'], 'orchestration/ and docker/ are libraries: they never import the application (src/) or the screen (components/).')),
  {
    files: ['components/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: ['fs', 'node:fs', 'fs/promises', 'node:fs/promises', 'child_process', 'node:child_process', 'node-pty', 'dockerode', 'execa'].map((name) => ({
            name,
            message: 'components/ are presentational: effects live in src/ services.',
          })),
          patterns: [
            forbid(['solver', 'orchestration', 'docker', 'core'], 'components/ import view-model types from src/app only.'),
            { ...forbid(['src'], 'components/ import view-model types (import type) from src/app only.'), allowTypeImports: true },
          ],
        },
      ],
    },
  },
);
