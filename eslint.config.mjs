// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['node_modules/', 'dist/', '.data/', '.tools/', 'coverage/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    files: ['**/*.mjs', '**/*.js'],
    ...tseslint.configs.disableTypeChecked,
    languageOptions: {
      parserOptions: { projectService: false, project: null },
      globals: { process: 'readonly', console: 'readonly', module: 'writable', require: 'readonly' },
    },
  },
  {
    // Workflow code is replayed by Temporal and must stay deterministic: no Node built-ins, no I/O clients.
    files: ['workflows/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: [
                'node:*',
                'fs',
                'fs/*',
                'path',
                'child_process',
                'os',
                'crypto',
                'http',
                'https',
                'net',
              ],
              message: 'Workflows must be deterministic: no Node built-ins.',
            },
            {
              group: [
                'knex',
                'objection',
                'pg',
                'dockerode',
                'stripe',
                '../../core/db',
                '../../activities/**',
                '../../adapters/**',
              ],
              message: 'Workflows call activities; they never touch I/O clients directly.',
              allowTypeImports: true,
            },
          ],
        },
      ],
    },
  },
  {
    // Workflow input/output types live in types/<product>.ts, which workflows, activities and the API share.
    files: ['activities/**/*.ts', 'adapters/**/*.ts', 'types/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['**/workflows/**'],
              message: 'Activities import nothing from workflows/: shared types live in types/<product>.ts.',
            },
          ],
        },
      ],
    },
  },
);
