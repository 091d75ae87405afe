import { decodeEvent, SCHEMA_VERSION } from '@tracelode/domain';
import type { StoredEvent } from '@tracelode/event-store';
import {
  carbonOf,
  certificationOf,
  custodyOf,
  holdImpactOf,
  provenanceOf,
  batchViewsOf,
  type ViewLookup,
} from '@tracelode/projections';
import { type LoggedEvent, normaliseViews } from '@tracelode/testing';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { withProjectedViews } from './evidence';

/** Written by test/views-unchanged.e2e-spec.ts with the schema-1 code: its log, and the views it served. */
const fixture = JSON.parse(
  readFileSync(join(__dirname, '../../../test/fixtures/views-schema-1.json'), 'utf8'),
) as {
  views: Record<string, { status: number; body?: unknown; views?: unknown }>;
  since: string;
  log: LoggedEvent[];
};

const BATCHES = ['A1', 'A2', 'B1', 'MC-1', 'NDPR-OX-1', 'LACE-1', 'METAL-1', 'METAL-2', 'OTHER-1'];

const toStored = (event: LoggedEvent): StoredEvent => ({
  ...event,
  position: BigInt(event.position),
  revision: BigInt(event.revision),
});

describe('a schema-1 log (each batch event carrying its transformation’s lists)', () => {
  const log = fixture.log.map(toStored);
  const served = (path: string) => fixture.views[path]!;
  const same = (view: unknown, path: string) =>
    expect({ path, view: normaliseViews(view, fixture.log, fixture.since) }).toEqual({
      path,
      view: served(path).body,
    });

  it('is a schema-1 log with the lists inline and no transformation stream', () => {
    expect(SCHEMA_VERSION).toBe(2);
    expect(log.every((event) => event.metadata.schemaVersion === 1)).toBe(true);
    expect(log.some((event) => event.stream.startsWith('transformation-'))).toBe(false);
    const produced = log.filter((event) => event.type === 'BatchProduced');
    expect(produced.length).toBeGreaterThan(0);
    for (const event of produced) expect(decodeEvent(event).event.data).toHaveProperty('inputs');
  });

  it('still projects to the views the schema-1 code served: custody, provenance, carbon, certification, holds', () => {
    withProjectedViews(log, (lookup: ViewLookup) => {
      for (const batchId of BATCHES) {
        same(custodyOf(batchId, lookup), `/batches/${batchId}`);
        same(provenanceOf(batchId, lookup), `/batches/${batchId}/provenance`);
        same(carbonOf(batchId, lookup), `/batches/${batchId}/carbon`);
        same(certificationOf(batchId, lookup), `/batches/${batchId}/certification`);
        same(holdImpactOf(batchId, lookup), `/holds/${batchId}/impact`);
      }
      for (const batchId of ['A1', 'B1', 'METAL-1', 'OTHER-1']) {
        const path = `/batches/${batchId}/audit-bundle`;
        expect({
          path,
          views: normaliseViews(batchViewsOf(batchId, lookup), fixture.log, fixture.since),
        }).toEqual({
          path,
          views: served(path).views,
        });
      }
    });
  });
});
