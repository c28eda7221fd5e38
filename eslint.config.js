// Lint rules, including the layer rules of design.md: which folder may import what.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

// Bare built-in names are matched exactly (paths); 'node:*' by pattern. A gitignore-style pattern
// 'net' would also match our own folder main/net.
const bareBuiltins = ['fs', 'fs/promises', 'net', 'path', 'os', 'child_process', 'http', 'https', 'stream', 'events', 'crypto', 'url', 'util'];
const pattern = (group, message) => ({ group, message });
const builtinPaths = (message) => bareBuiltins.map((name) => ({ name, message }));
const coreImports = {
  paths: builtinPaths('core/ is pure: no Node built-ins (design.md, layers).'),
  patterns: [
    pattern(['node:*'], 'core/ is pure: no Node built-ins (design.md, layers).'),
    pattern(['electron', 'electron/*'], 'core/ must not import electron.'),
    pattern(['d3-selection', 'd3-transition', 'd3-zoom', 'd3'], 'core/ must not touch the DOM.'),
    pattern(['**/main/**', '**/renderer/**'], 'core/ imports only core/.'),
  ],
};

// main/ runs from dist/ (npm run build); build tools, benchmarks and tests are never part of it.
const buildTimeFolders = [
  pattern(
    ['**/scripts/**', '**/bench/**', '**/test/**', 'esbuild', 'tsx', 'tsx/*'],
    'main/ reads dist/ only: it must not import scripts/, bench/, test/ or build tools.',
  ),
];

export default tseslint.config(
  { ignores: ['node_modules/**', 'dist/**', 'out/**', 'release/**', 'test-artifacts/**', 'bench/results/**', '.*'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
    },
  },
  {
    // The command's entry point is plain JavaScript run by Node.
    files: ['bin/**/*.js'],
    languageOptions: { globals: { process: 'readonly', URL: 'readonly', console: 'readonly' } },
  },
  {
    files: ['core/**/*.ts', 'test/core/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', coreImports] },
  },
  {
    // One layout feeds the screen and every export: it knows nothing of how its model is drawn.
    // (A later block replaces the rule's options, so this one starts from core's own.)
    files: ['core/diagram/layout/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          ...coreImports,
          patterns: [...coreImports.patterns, pattern(['**/painters/**'], 'core/diagram/layout/ must not import the painters: they draw its model.')],
        },
      ],
    },
  },
  {
    files: ['main/**/*.ts'],
    ignores: ['main/net/**', 'main/electron/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [
            { name: 'node:net', message: 'Only main/net/ imports node:net: one choke point for sockets.' },
            { name: 'net', message: 'Only main/net/ imports node:net: one choke point for sockets.' },
          ],
          patterns: [
            pattern(['electron', 'electron/*'], 'Only main/electron/ imports electron.'),
            pattern(['**/renderer/**'], 'main/ must not import renderer/.'),
            ...buildTimeFolders,
          ],
        },
      ],
    },
  },
  {
    files: ['main/net/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            pattern(['electron', 'electron/*'], 'Only main/electron/ imports electron.'),
            pattern(['**/renderer/**'], 'main/ must not import renderer/.'),
            ...buildTimeFolders,
          ],
        },
      ],
    },
  },
  {
    files: ['renderer/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: builtinPaths('renderer/ runs in the browser: no Node built-ins.'),
          patterns: [
            pattern(['node:*'], 'renderer/ runs in the browser: no Node built-ins.'),
            pattern(['electron', 'electron/*'], 'renderer/ reaches the host only through its bridge.'),
            pattern(['**/main/**'], 'renderer/ must not import main/.'),
          ],
        },
      ],
    },
  },
);
