// Lint enforces the layering in ../shared/STYLE.md: packages/* are pure (text in, objects out), and
// only named adapters may reach the network, the file system or a UI framework.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const pureBans = [
  { name: 'node:fs', message: 'packages/* are pure: read files in an app adapter and pass text in.' },
  { name: 'fs', message: 'packages/* are pure: read files in an app adapter and pass text in.' },
  { name: 'node:fs/promises', message: 'packages/* are pure: do I/O in apps/*.' },
  { name: 'node:child_process', message: 'packages/* are pure: run commands in an app adapter.' },
  { name: 'child_process', message: 'packages/* are pure: run commands in an app adapter.' },
  { name: 'node:net', message: 'packages/* are pure: no network.' },
  { name: 'node:http', message: 'packages/* are pure: no network.' },
  { name: 'node:https', message: 'packages/* are pure: no network.' },
  { name: 'express', message: 'The HTTP layer lives in apps/server only.' },
  { name: 'react', message: 'UI code lives in apps/web only.' },
  { name: '@xyflow/react', message: "Only the web app's React Flow adapter imports @xyflow/react." },
  { name: '@kubernetes/client-node', message: "Only the server's cluster adapter talks to the API server." },
  { name: 'ssh2', message: "Only the node-dump adapter opens SSH sessions." },
];

export default tseslint.config(
  { ignores: ['**/node_modules/**', '**/dist/**', '**/fixtures/**', 'coverage/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { console: 'readonly', process: 'readonly', URL: 'readonly' } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
    },
  },
  {
    files: ['packages/*/src/**/*.ts'],
    ignores: ['packages/*/src/**/*.test.ts'],
    rules: {
      'no-restricted-imports': ['error', { paths: pureBans }],
      'no-restricted-globals': [
        'error',
        { name: 'process', message: 'packages/* are pure: take configuration as arguments.' },
        { name: 'fetch', message: 'packages/* are pure: no network.' },
      ],
    },
  },
);
