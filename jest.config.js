// Three levels, each a Jest project: unit (pure code, in-memory), int (real SQLite files, adapters,
// contract suites, the projector), e2e (HTTP over a real port against the embedded store).
// The explorer (apps/web) is built for the browser by Vite: its tests compile with its own options (DOM,
// JSX), as CommonJS, in a project of their own ('web'). Not a second ts-jest entry in a shared project:
// ts-jest keeps one set of compiler options per Jest project, whichever file a worker compiled first, so
// the two would swap at random (a .tsx compiled without JSX in a full run).
const webTs = [
  'ts-jest',
  {
    tsconfig: {
      target: 'ES2022',
      lib: ['ES2023', 'DOM', 'DOM.Iterable'],
      module: 'nodenext',
      moduleResolution: 'nodenext',
      jsx: 'react-jsx',
      strict: true,
      noUncheckedIndexedAccess: true,
      esModuleInterop: true,
      skipLibCheck: true,
      isolatedModules: true,
      types: ['node', 'jest'],
    },
  },
];
const transform = {
  '^.+\\.ts$': ['ts-jest', { tsconfig: '<rootDir>/tsconfig.json' }],
  // jose (ADR 0032) ships ES modules only, which Jest on Node 20 cannot require: compiled to CommonJS here.
  '/node_modules/jose/.+\\.js$': [
    'ts-jest',
    {
      tsconfig: { allowJs: true, module: 'commonjs', moduleResolution: 'node10', target: 'ES2022' },
      isolatedModules: true,
    },
  ],
};
const moduleNameMapper = { '^@tracelode/(.*)$': '<rootDir>/libs/$1/src/index.ts' };
const common = {
  rootDir: __dirname,
  transform,
  moduleNameMapper,
  testEnvironment: 'node',
  moduleFileExtensions: ['ts', 'tsx', 'js', 'json'],
  transformIgnorePatterns: ['/node_modules/(?!jose/)'],
};

module.exports = {
  projects: [
    {
      ...common,
      displayName: 'unit',
      testMatch: ['<rootDir>/{apps,libs}/**/*.spec.ts', '<rootDir>/test/architecture/*.spec.ts'],
      testPathIgnorePatterns: ['/node_modules/', '/apps/web/'],
    },
    {
      ...common,
      displayName: 'web',
      transform: { '^.+\\.tsx?$': webTs },
      testMatch: ['<rootDir>/apps/web/src/**/*.spec.{ts,tsx}'],
    },
    {
      ...common,
      displayName: 'int',
      // Real files with synchronous=FULL on a shared 2-core machine: give fsync-bound tests room.
      setupFilesAfterEnv: ['<rootDir>/test/support/int-setup.ts'],
      testMatch: ['<rootDir>/{apps,libs}/**/*.int-spec.ts'],
    },
    {
      ...common,
      displayName: 'e2e',
      testMatch: ['<rootDir>/test/**/*.e2e-spec.ts'],
      setupFilesAfterEnv: ['<rootDir>/test/support/e2e-setup.ts'],
    },
    {
      // The explorer (apps/web) in headless Chromium against the built server on a store the demo seeded;
      // reported as skipped, with the reason and the install command, where /usr/bin/chromium is absent.
      ...common,
      displayName: 'browser',
      testMatch: ['<rootDir>/test/browser/**/*.browser-spec.ts'],
      setupFilesAfterEnv: ['<rootDir>/test/support/e2e-setup.ts'],
    },
    {
      // The same e2e suite with the API on KurrentDB: each ledger gets a wire-level KurrentDB test server
      // in the Jest process (test/support/ledger-harness.ts). Left out: the tests that are about the
      // embedded SQLite file itself (crash durability, a graceful stop on the file, backups of it, the demo's file, tampering with the file) and the replica test, which
      // already runs on the wire server in the e2e project.
      ...common,
      displayName: 'e2e-kurrentdb',
      testMatch: ['<rootDir>/test/**/*.e2e-spec.ts'],
      testPathIgnorePatterns: [
        '/crash\\.e2e-spec\\.ts$',
        '/graceful-shutdown\\.e2e-spec\\.ts$',
        '/backup-restore\\.e2e-spec\\.ts$',
        '/demo\\.e2e-spec\\.ts$',
        '/withheld-bundle\\.e2e-spec\\.ts$',
        '/legacy-ledger\\.e2e-spec\\.ts$',
        '/verifiable-history\\.e2e-spec\\.ts$',
        '/verify-log-workers\\.e2e-spec\\.ts$',
        '/views-writer\\.e2e-spec\\.ts$',
        '/kurrentdb-replicas\\.e2e-spec\\.ts$',
        // Bring their own KurrentDB wire server, in the e2e project.
        '/views-only-read-workers\\.e2e-spec\\.ts$',
        '/kurrentdb-outage\\.e2e-spec\\.ts$',
        // The followers' worker and its gather run only on the embedded store's files.
        '/views-gather\\.e2e-spec\\.ts$',
        '/views-file-fault\\.e2e-spec\\.ts$',
        // Holds the embedded store's file lock, with its writer in a worker.
        '/abandoned-command\\.e2e-spec\\.ts$',
      ],
      setupFilesAfterEnv: ['<rootDir>/test/support/e2e-kurrentdb-setup.ts'],
    },
  ],
};
