import { join } from 'node:path';
import { checkFile, checkTree, type ImportRule } from './import-rules';

const isRelative = (specifier: string) => specifier.startsWith('./') || specifier.startsWith('../');
const isStoreClient = (specifier: string) => /^(better-sqlite3|@kurrent\/|@eventstore\/)/.test(specifier);
const isApp = (specifier: string) => /(^|\/)apps\//.test(specifier);

/** docs/style.md and docs/architecture.md: one boundary per outside thing, a pure domain. */
const RULES: ImportRule[] = [
  // Pure TypeScript: no Nest, no store, no Node I/O, no other lib, no app — only its own files.
  {
    name: 'domain imports only itself',
    scope: 'libs/domain/src',
    forbidden: (s) => !isRelative(s),
    exceptTests: true,
  },
  {
    name: 'domain stays inside libs/domain',
    scope: 'libs/domain/src',
    forbidden: (s) => /^(\.\.\/){3,}/.test(s),
  },
  { name: 'libs never import Nest', scope: 'libs', forbidden: (s) => s.startsWith('@nestjs/') },
  { name: 'libs never import apps', scope: 'libs', forbidden: isApp },
  {
    name: 'projections are pure plus one runner',
    scope: 'libs/projections/src',
    forbidden: isStoreClient,
    exceptTests: true,
  },
  { name: 'apps reach stores only through libs', scope: 'apps', forbidden: isStoreClient },
];

describe('architecture', () => {
  it('holds for the whole tree', () => {
    expect(checkTree(join(__dirname, '../..'), RULES)).toEqual([]);
  });

  // The rules must be able to fail: each of these files breaks one.
  it.each([
    [
      'libs/domain/src/batch/x.ts',
      "import { Injectable } from '@nestjs/common';",
      'domain imports only itself',
    ],
    ['libs/domain/src/batch/x.ts', "import Database from 'better-sqlite3';", 'domain imports only itself'],
    ['libs/domain/src/batch/x.ts', "import { readFileSync } from 'node:fs';", 'domain imports only itself'],
    [
      'libs/domain/src/batch/x.ts',
      "export * from '../../../event-store/src';",
      'domain stays inside libs/domain',
    ],
    ['libs/domain/src/x.ts', "import { createApp } from '@tracelode/api';", 'domain imports only itself'],
    [
      'libs/projections/src/x.ts',
      "const db = require('better-sqlite3');",
      'projections are pure plus one runner',
    ],
    [
      'libs/read-models/src/x.ts',
      "import { AppModule } from '../../../apps/api/src/app.module';",
      'libs never import apps',
    ],
    [
      'apps/api/src/x.ts',
      "import { KurrentDBClient } from '@kurrent/kurrentdb-client';",
      'apps reach stores only through libs',
    ],
  ])('flags %s importing a forbidden module', (file, source, rule) => {
    expect(checkFile(RULES, file, source).map((violation) => violation.rule)).toContain(rule);
  });

  it('allows the domain’s own relative imports', () => {
    expect(
      checkFile(RULES, 'libs/domain/src/batch/x.ts', "import { conflict } from '../shared/domain-error';"),
    ).toEqual([]);
  });
});
