import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { BatchMined } from './batch/batch.events';
import { decodeEvent, encodeEvent, SCHEMA_VERSION } from './envelope';

/** A BatchMined as a version-1 ledger stored it: the old shape, kept as a file and never edited. */
const v1 = () =>
  JSON.parse(readFileSync(join(__dirname, 'testdata/batch-mined.v1.json'), 'utf8')) as {
    type: string;
    data: Record<string, unknown>;
    metadata: Record<string, unknown>;
  };

describe('event versions', () => {
  it('upcasts the stored v1 BatchMined on read: country null (the registration says), schema 2', () => {
    const stored = v1();
    const before = structuredClone(stored);
    const { event, metadata } = decodeEvent(stored);

    expect(SCHEMA_VERSION).toBe(2);
    expect(metadata.schemaVersion).toBe(2);
    expect(event).toEqual({ type: 'BatchMined', data: { ...before.data, country: null } });
    // The stored form is read, never changed: its hash covers it as stored.
    expect(stored).toEqual(before);
    expect('country' in stored.data).toBe(false);
  });

  it('leaves a v2 BatchMined, and every other v1 event, as they are', () => {
    const mined = { type: 'BatchMined', data: { ...v1().data, country: 'AU' } } as unknown as BatchMined;
    const v2 = encodeEvent(mined, { commandId: 'c' }, 'e');
    expect(v2.metadata.schemaVersion).toBe(2);
    expect(decodeEvent(v2).event.data).toMatchObject({ country: 'AU' });

    const released = {
      type: 'BatchReleased',
      data: { batchId: 'b', authorityOrgId: 'a', reason: 'r', occurredAt: 'x' },
    };
    expect(decodeEvent({ ...released, metadata: { schemaVersion: 1 } }).event).toEqual(released);
  });
});
