// Type-aware lint for the whole workspace. The `no-restricted-imports` blocks below are the
// architecture's dependency rule (protocols → domain ← storage, wired only in main.ts),
// held by the tool instead of by memory.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const adapterPackages = [
  'ws',
  'pg',
  'better-sqlite3',
  'kysely',
  'fastify',
  '@fastify/*',
  '@connectrpc/*',
  'pino',
  'prom-client',
];

/** Builds a restricted-imports rule that forbids the given relative layers and packages. */
function forbid({ layers = [], packages = [], why }) {
  return [
    'error',
    {
      patterns: [
        ...layers.map((layer) => ({
          group: [`**/${layer}/**`, `../${layer}`, `./${layer}`],
          message: why,
        })),
        ...(packages.length ? [{ group: packages, message: why }] : []),
      ],
    },
  ];
}

export default tseslint.config(
  {
    ignores: [
      '**/node_modules/**',
      '**/dist/**',
      'data/**',
      'packages/contracts/src/gen/**',
      'apps/web/vite.config.ts',
      '.tmp/**',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.strictTypeChecked,
  {
    languageOptions: {
      parserOptions: {
        projectService: true,
        tsconfigRootDir: import.meta.dirname,
      },
    },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      '@typescript-eslint/switch-exhaustiveness-check': 'error',
      // node:test's describe/it return promises the runner itself awaits.
      '@typescript-eslint/no-floating-promises': [
        'error',
        {
          allowForKnownSafeCalls: [
            { from: 'package', package: 'node:test', name: ['describe', 'it', 'test', 'suite'] },
          ],
        },
      ],
      '@typescript-eslint/restrict-template-expressions': [
        'error',
        { allowNumber: true, allowBoolean: true },
      ],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-confusing-void-expression': 'off',
      '@typescript-eslint/no-unnecessary-condition': ['error', { allowConstantLoopConditions: true }],
    },
  },
  {
    files: ['**/*.js', '**/*.mjs'],
    extends: [tseslint.configs.disableTypeChecked],
    languageOptions: { globals: { process: 'readonly', URL: 'readonly', console: 'readonly' } },
  },
  {
    files: ['apps/server/src/domain/**/*.ts'],
    rules: {
      'no-restricted-imports': forbid({
        layers: ['storage', 'protocols', 'platform', 'jobs', 'config'],
        packages: adapterPackages,
        why: 'The domain depends on nothing outside itself: storage and protocols depend on the domain (wire them in main.ts).',
      }),
    },
  },
  {
    files: ['apps/server/src/storage/**/*.ts'],
    rules: {
      'no-restricted-imports': forbid({
        layers: ['protocols', 'jobs'],
        packages: ['ws', 'fastify', '@fastify/*', '@connectrpc/*'],
        why: 'Storage implements domain interfaces; it must not reach into protocol adapters.',
      }),
    },
  },
  {
    files: ['apps/server/src/protocols/**/*.ts'],
    rules: {
      'no-restricted-imports': forbid({
        layers: ['storage', 'jobs'],
        packages: ['pg', 'better-sqlite3', 'kysely'],
        why: 'Protocol adapters call domain services; they never touch storage directly.',
      }),
    },
  },
  {
    files: ['**/*.test.ts', 'bench/**/*.ts', 'tools/**/*.ts', 'scripts/**/*.ts'],
    rules: {
      'no-restricted-imports': 'off',
      '@typescript-eslint/no-non-null-assertion': 'off',
    },
  },
);
