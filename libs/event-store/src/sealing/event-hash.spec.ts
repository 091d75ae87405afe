import { createHash } from 'node:crypto';
import { canonicalJson } from './jcs';
import {
  elementDigest,
  eventHash,
  EventSealError,
  fieldDigest,
  freshSalts,
  type HashableEvent,
  WITHHELD_KEY,
} from './event-hash';

/**
 * A known-answer vector, computed outside this code: each digest by
 * `printf '%s' '<the JCS text>' | openssl dgst -sha256 -binary | openssl base64 -A | tr '+/' '-_' | tr -d =`
 * and the hash by `printf '%s' '<the top-level JCS text>' | sha256sum`, with the canonical texts written
 * out by hand below (keys in UTF-16 order, as RFC 8785 sorts them).
 */
const VECTOR: HashableEvent = {
  stream: 'batch-B-1',
  revision: 3n,
  eventId: 'e-1',
  type: 'BatchShipped',
  data: {
    batchId: 'B-1',
    documents: [{ type: 'bill_of_lading', number: 'BL-7' }, 2.5],
  },
  metadata: {
    recordedAt: '2026-11-28T00:00:00.000Z',
    'ñ €': 1e21,
    hashVersion: 2,
    salts: {
      data: {
        batchId: 'AAAAAAAAAAAAAAAAAAAAAA',
        documents: ['BBBBBBBBBBBBBBBBBBBBBA', 'CCCCCCCCCCCCCCCCCCCCCA'],
      },
      metadata: { recordedAt: 'DDDDDDDDDDDDDDDDDDDDDA', 'ñ €': 'EEEEEEEEEEEEEEEEEEEEEA' },
    },
    hash: 'not part of what is hashed',
    prevHash: null,
  },
};
const DIGESTS = {
  // ["AAAAAAAAAAAAAAAAAAAAAA","batchId","B-1"]
  batchId: '0g4FtHVApnTZdzs23fJhGi7mQemKGNJSLc0HY7s6MrA',
  // ["BBBBBBBBBBBBBBBBBBBBBA",{"number":"BL-7","type":"bill_of_lading"}]
  document0: 'AOLZutqI7pojgyDEeGPL23fmkrezIVstsZeZHxM9q60',
  // ["CCCCCCCCCCCCCCCCCCCCCA",2.5]
  document1: '4jZMQYcSlkchMWkACow6ljkSzjzzjqu1_CO6ZQZrbJs',
  // ["DDDDDDDDDDDDDDDDDDDDDA","recordedAt","2026-11-28T00:00:00.000Z"]
  recordedAt: '3ZfHDZ0DPMsPwiFODZLH2BP0prj4itR9eF9I4DBOBcM',
  // ["EEEEEEEEEEEEEEEEEEEEEA","ñ €",1e+21]
  odd: 'zWyg_x2XzC1vKnvR8YEW4F_F669gNi1-DZaqR4kgHEY',
};
// {"data":{"batchId":…,"documents":[…,…]},"eventId":"e-1","hashVersion":2,"metadata":{"recordedAt":…,"ñ €":…},
//  "prevHash":null,"revision":3,"stream":"batch-B-1","type":"BatchShipped"}
const HASH = 'b81862dd418e04b5f9b8e0c61c8d458aabd9fe48746d7bdd34c48a1867e4944c';

const withheld = (digest: string) => ({ [WITHHELD_KEY]: digest });
const withData = (data: Record<string, unknown>, salts = VECTOR.metadata.salts): HashableEvent => ({
  ...VECTOR,
  data,
  metadata: { ...VECTOR.metadata, salts },
});

describe('eventHash, version 2', () => {
  it('gives the known-answer vector computed outside this code', () => {
    expect(fieldDigest('AAAAAAAAAAAAAAAAAAAAAA', 'batchId', 'B-1')).toBe(DIGESTS.batchId);
    expect(elementDigest('BBBBBBBBBBBBBBBBBBBBBA', { type: 'bill_of_lading', number: 'BL-7' })).toBe(
      DIGESTS.document0,
    );
    expect(elementDigest('CCCCCCCCCCCCCCCCCCCCCA', 2.5)).toBe(DIGESTS.document1);
    expect(fieldDigest('DDDDDDDDDDDDDDDDDDDDDA', 'recordedAt', '2026-11-28T00:00:00.000Z')).toBe(
      DIGESTS.recordedAt,
    );
    expect(fieldDigest('EEEEEEEEEEEEEEEEEEEEEA', 'ñ €', 1e21)).toBe(DIGESTS.odd);
    expect(eventHash(VECTOR, null)).toBe(HASH);
  });

  it('is the same hash with fields and elements withheld in place of their values, salts dropped', () => {
    const salts = VECTOR.metadata.salts as {
      data: Record<string, string[]>;
      metadata: Record<string, string>;
    };
    const shown = {
      ...VECTOR,
      data: {
        batchId: withheld(DIGESTS.batchId),
        documents: [{ type: 'bill_of_lading', number: 'BL-7' }, withheld(DIGESTS.document1)],
      },
      metadata: {
        ...VECTOR.metadata,
        'ñ €': withheld(DIGESTS.odd),
        salts: {
          data: { documents: [salts.data.documents![0]!, null] },
          metadata: { recordedAt: salts.metadata.recordedAt },
        },
      },
    };
    expect(eventHash(shown, null)).toBe(HASH);
  });

  it.each<[string, (event: HashableEvent) => HashableEvent]>([
    ['a value changed', (e) => withData({ ...e.data, batchId: 'B-2' })],
    [
      'an element changed',
      (e) => withData({ ...e.data, documents: [{ type: 'bill_of_lading', number: 'BL-8' }, 2.5] }),
    ],
    [
      'the elements swapped',
      (e) => withData({ ...e.data, documents: [...(e.data.documents as unknown[])].reverse() }),
    ],
    ['a withheld digest changed', (e) => withData({ ...e.data, batchId: withheld(DIGESTS.document0) })],
    [
      'a salt changed',
      (e) =>
        withData(e.data, {
          ...(e.metadata.salts as object),
          data: { ...(e.metadata.salts as { data: object }).data, batchId: 'AAAAAAAAAAAAAAAAAAAAAQ' },
        }),
    ],
    ['the place changed', (e) => ({ ...e, revision: 4n })],
    ['the type changed', (e) => ({ ...e, type: 'BatchReceived' })],
  ])('changes when %s', (_name, alter) => {
    expect(eventHash(alter(VECTOR), null)).not.toBe(HASH);
  });

  it('changes with the predecessor', () => {
    expect(eventHash(VECTOR, 'ab'.repeat(32))).not.toBe(HASH);
  });

  it('refuses a field shown without its salt, and an event of another hash version', () => {
    expect(() => eventHash(withData({ ...VECTOR.data, consignee: 'X' }), null)).toThrow(
      /data\.consignee is shown without its salt/,
    );
    expect(() => eventHash(withData({ ...VECTOR.data, documents: [1, 2, 3] }), null)).toThrow(EventSealError);
    expect(() =>
      eventHash({ ...VECTOR, metadata: { ...VECTOR.metadata, hashVersion: undefined } }, null),
    ).toThrow(/hash version 1/);
  });
});

/** The hash as the ADR states it, by the reference JCS over the object of digests: the oracle for the fast path. */
function referenceHash(event: HashableEvent, prevHash: string | null): string {
  const salts = event.metadata.salts as { data: Record<string, unknown>; metadata: Record<string, string> };
  const data = Object.fromEntries(
    Object.entries(event.data).map(([name, value]) => [
      name,
      Array.isArray(value)
        ? value.map((element: unknown, i) => elementDigest((salts.data[name] as string[])[i]!, element))
        : fieldDigest(salts.data[name] as string, name, value),
    ]),
  );
  const metadata = Object.fromEntries(
    Object.entries(event.metadata)
      .filter(([name]) => !['hash', 'prevHash', 'hashVersion', 'salts'].includes(name))
      .map(([name, value]) => [name, fieldDigest(salts.metadata[name]!, name, value)]),
  );
  const { stream, eventId, type } = event;
  const text = canonicalJson({
    hashVersion: 2,
    stream,
    revision: Number(event.revision),
    eventId,
    type,
    data,
    metadata,
    prevHash,
  });
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

describe('eventHash against the reference JCS of its digests', () => {
  const names = ['a', 'B', 'é', 'ü', '€', '😀', 'a"b', 'back\\slash', '\u0007', '10', '2', ''];
  it.each(Array.from({ length: 40 }, (_, seed) => seed))('agrees on generated event %i', (seed) => {
    const pick = (i: number) => names[(seed * 7 + i * 3) % names.length]!;
    const data: Record<string, unknown> = {};
    const metadata: Record<string, unknown> = {};
    for (let i = 0; i < 1 + (seed % 6); i++) {
      data[pick(i)] = [1.5e-7, 'ñ', { z: 1, a: [true, null] }, [seed, -0], 1e21, `v${seed}`][(seed + i) % 6];
      metadata[pick(i + 5)] = { nested: pick(i), n: seed / 3 };
    }
    if (seed % 3 === 0) data.list = [{ b: 2, a: 1 }, 'x', 1e-7];
    const event: HashableEvent = {
      stream: `s-${pick(1)}`,
      revision: BigInt(seed),
      eventId: `e-${pick(2)}`,
      type: 'T',
      data,
      metadata: { ...metadata, hashVersion: 2, salts: freshSalts(data, metadata) },
    };
    const prevHash = seed % 2 === 0 ? null : 'cd'.repeat(32);
    expect(eventHash(event, prevHash)).toBe(referenceHash(event, prevHash));
  });

  it('treats a field whose value is undefined as JSON does: absent, so the stored event hashes alike', () => {
    const data = { batchId: 'B', radioactivityBqPerG: undefined, list: [1, undefined] };
    const metadata = { recordedAt: 'now', signedRequest: undefined };
    const event: HashableEvent = {
      ...VECTOR,
      data,
      metadata: { ...metadata, hashVersion: 2, salts: freshSalts(data, metadata) },
    };
    const stored = JSON.parse(
      JSON.stringify({ data: event.data, metadata: event.metadata }),
    ) as HashableEvent;
    expect(Object.keys((event.metadata.salts as { data: object }).data)).toEqual(['batchId', 'list']);
    expect(eventHash({ ...event, ...stored }, null)).toBe(eventHash(event, null));
  });

  it('refuses a place holder whose digest is not base64url, rather than splice it into the text', () => {
    const salts = VECTOR.metadata.salts as { data: Record<string, unknown>; metadata: object };
    const { batchId: _dropped, ...otherSalts } = salts.data;
    const forged = withData(
      { ...VECTOR.data, batchId: withheld('x","injected":"y') },
      {
        ...salts,
        data: otherSalts,
      },
    );
    expect(() => eventHash(forged, null)).toThrow(/data\.batchId has a malformed digest/);
  });
});

describe('freshSalts', () => {
  it('draws a 144-bit salt for every committed field and array element, never the same twice', () => {
    const data = { batchId: 'B', documents: [{}, {}, {}], massGrams: 1, outputs: [] };
    const metadata = { recordedAt: 'now', actor: { orgId: 'o' }, hash: 'x', prevHash: null, salts: {} };
    const salts = freshSalts(data, metadata);

    expect(Object.keys(salts.data).sort()).toEqual(['batchId', 'documents', 'massGrams', 'outputs']);
    expect(salts.data.documents).toHaveLength(3);
    expect(salts.data.outputs).toEqual([]);
    expect(Object.keys(salts.metadata).sort()).toEqual(['actor', 'recordedAt']);
    const all = [...Object.values(salts.data).flat(), ...Object.values(salts.metadata)] as string[];
    for (const salt of all) expect(Buffer.from(salt, 'base64url')).toHaveLength(18);
    const again = freshSalts(data, metadata);
    expect(new Set([...all, ...Object.values(again.metadata)]).size).toBe(all.length + 2);
  });
});
