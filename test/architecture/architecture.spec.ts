import { join } from 'node:path';
import {
  checkFeatures,
  checkFile,
  checkLibraryLevels,
  checkTree,
  FEATURES_RULE,
  findImportCycles,
  type ImportRule,
  LEVELS_RULE,
  productionSources,
} from './import-rules';

const ROOT = join(__dirname, '../..');

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
  // A test may open the SQLite file it checks (the rebuild's indexes, say); app code may not.
  { name: 'apps reach stores only through libs', scope: 'apps', forbidden: isStoreClient, exceptTests: true },
];

/** The API's feature contexts: each may use the shared folders (common, auth, ledger, config, health) and the root files, never another feature. */
const API_ROOT = 'apps/api/src';
const FEATURES = [
  'orgs',
  'batches',
  'transformations',
  'licences',
  'exports',
  'certificates',
  'holds',
  'corrections',
  'log',
  'passports',
  'epcis',
];

/** A lib imports only libs of a strictly lower level; `testing` is test support and may import them all. */
const LIBRARY_LEVELS: Record<string, number> = {
  domain: 0,
  'request-signatures': 0,
  epcis: 1,
  'event-store': 1,
  'read-models': 1,
  log: 2,
  projections: 2,
  evidence: 3,
  credentials: 3,
  testing: 4,
};

describe('architecture', () => {
  const sources = productionSources(ROOT);

  it('holds the per-file import rules for the whole tree', () => {
    expect(checkTree(ROOT, RULES)).toEqual([]);
  });

  it('has no import circles in apps and libs', () => {
    expect(findImportCycles(sources)).toEqual([]);
  });

  it(`has ${FEATURES_RULE} in the API`, () => {
    expect(checkFeatures(sources, API_ROOT, FEATURES)).toEqual([]);
  });

  it(`has ${LEVELS_RULE}`, () => {
    expect(checkLibraryLevels(sources, LIBRARY_LEVELS)).toEqual([]);
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

  describe('import circles', () => {
    it('finds a circle of two files, through relative imports', () => {
      expect(
        findImportCycles({
          'apps/api/src/a.ts': "import { b } from './b';",
          'apps/api/src/b.ts': "import { a } from './a';",
          'apps/api/src/c.ts': "import { a } from './a';",
        }),
      ).toEqual([['apps/api/src/a.ts', 'apps/api/src/b.ts']]);
    });

    it('finds a circle through a lib alias, an index file and a re-export', () => {
      expect(
        findImportCycles({
          'libs/x/src/index.ts': "export * from './inner';",
          'libs/x/src/inner/index.ts': "export * from '../y';",
          'libs/x/src/y.ts': "import { x } from '@tracelode/x';",
        }),
      ).toEqual([['libs/x/src/index.ts', 'libs/x/src/inner/index.ts', 'libs/x/src/y.ts']]);
    });

    it('finds a file importing itself, and each circle of a knot', () => {
      expect(
        findImportCycles({
          'a.ts': "import './a';",
          'b.ts': "import './c'; import './d';",
          'c.ts': "import './b';",
          'd.ts': "import './b';",
        }),
      ).toEqual([['a.ts'], ['b.ts', 'c.ts'], ['b.ts', 'd.ts']]);
    });

    it('passes a chain without a circle, and ignores packages', () => {
      expect(
        findImportCycles({
          'a.ts': "import './b'; import 'a';",
          'b.ts': "import './c.js';",
          'c.ts': "import { a } from '@nestjs/common';",
        }),
      ).toEqual([]);
    });
  });

  describe(FEATURES_RULE, () => {
    const check = (sources: Record<string, string>) =>
      checkFeatures(sources, API_ROOT, FEATURES).map(({ file, target }) => [file, target]);

    it('flags a feature importing another feature', () => {
      expect(
        check({
          'apps/api/src/transformations/record/record.dto.ts':
            "import { MaterialDto } from '../../batches/m';",
          'apps/api/src/batches/m.ts': 'export class MaterialDto {}',
        }),
      ).toEqual([['apps/api/src/transformations/record/record.dto.ts', 'apps/api/src/batches/m.ts']]);
    });

    it('allows a feature its own files, the shared folders and the root files', () => {
      expect(
        check({
          'apps/api/src/batches/a/a.controller.ts':
            "import '../batch-command'; import '../../common/dto/material'; import '../../ledger/x'; import '../../app.factory';",
          'apps/api/src/batches/batch-command.ts': '',
          'apps/api/src/common/dto/material.ts': "import '../../batches/batch-command';",
          'apps/api/src/ledger/x.ts': '',
          'apps/api/src/app.factory.ts': "import './orgs/o'; import './batches/batch-command';",
          'apps/api/src/orgs/o.ts': '',
        }),
      ).toEqual([]);
    });
  });

  describe(LEVELS_RULE, () => {
    const check = (sources: Record<string, string>) =>
      checkLibraryLevels(sources, LIBRARY_LEVELS).map(({ file, reason }) => [file, reason]);

    it('flags a lib importing a lib of a higher or the same level', () => {
      expect(
        check({
          'libs/domain/src/x.ts': "import { Projector } from '@tracelode/projections';",
          'libs/projections/src/index.ts': "import '../../log/src/y';",
          'libs/log/src/y.ts': '',
        }),
      ).toEqual([
        ['libs/domain/src/x.ts', 'domain (level 0) imports projections (level 2)'],
        ['libs/projections/src/index.ts', 'projections (level 2) imports log (level 2)'],
      ]);
    });

    it('flags a lib that has no level, in the tree or imported', () => {
      expect(
        check({
          'libs/integrity/src/index.ts': "import '@tracelode/domain';",
          'libs/domain/src/index.ts': '',
          'libs/evidence/src/index.ts': "import { seal } from '@tracelode/stale';",
          'libs/stale/src/index.ts': '',
        }),
      ).toEqual([
        ['libs/integrity', 'library integrity has no level'],
        ['libs/evidence/src/index.ts', 'library stale has no level'],
        ['libs/stale', 'library stale has no level'],
      ]);
    });

    it('allows lower libs, itself, test files, apps, and testing above everything', () => {
      expect(
        check({
          'libs/evidence/src/index.ts': "import '@tracelode/log'; import '@tracelode/domain'; import './z';",
          'libs/evidence/src/z.ts': '',
          'libs/evidence/src/z.spec.ts': "import '@tracelode/testing';",
          'libs/testing/src/index.ts': "import '@tracelode/evidence';",
          'libs/log/src/index.ts': "import '@tracelode/event-store';",
          'libs/event-store/src/index.ts': "import '@tracelode/request-signatures';",
          'libs/request-signatures/src/index.ts': '',
          'libs/domain/src/index.ts': '',
          'apps/api/src/main.ts': "import '@tracelode/testing';",
        }),
      ).toEqual([]);
    });
  });
});
