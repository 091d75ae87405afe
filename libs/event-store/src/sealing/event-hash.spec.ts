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
  return hashOverDigests(event, data, metadata, prevHash);
}

/** Hash version 2's last step (ADR 0022): SHA-256 over the JCS of the event's place, its digests and prevHash. */
function hashOverDigests(
  { stream, revision, eventId, type }: HashableEvent,
  data: Record<string, unknown>,
  metadata: Record<string, unknown>,
  prevHash: string | null,
): string {
  const text = canonicalJson({
    hashVersion: 2,
    stream,
    revision: Number(revision),
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

/**
 * The hash exactly as ADR 0022 defines it, from nothing but the reference JCS (canonicalize) and
 * createHash: every digest `base64url(SHA-256(JCS([salt, name, value])))` (or the withheld place
 * holder's), the event hash SHA-256 over the JCS of the object of digests. The oracle for every short way
 * eventHash takes (names written once, values as JSON.parse builds them written without the reference JCS).
 */
function definitionHash(event: HashableEvent, prevHash: string | null): string {
  const sha = (text: string, encoding: 'hex' | 'base64url') =>
    createHash('sha256').update(text, 'utf8').digest(encoding);
  const salts = event.metadata.salts as {
    data: Record<string, string | (string | null)[]>;
    metadata: Record<string, string>;
  };
  const shownOrWithheld = (value: unknown, salt: unknown, jcs: (salt: string) => string) =>
    typeof salt === 'string' ? sha(jcs(salt), 'base64url') : (value as Record<string, string>)[WITHHELD_KEY]!;
  const data: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(event.data)) {
    if (value === undefined) continue;
    const salt = salts.data[name];
    data[name] = Array.isArray(value)
      ? value.map((element: unknown, i) =>
          shownOrWithheld(element, (salt as (string | null)[])[i], (s) =>
            canonicalJson([s, element === undefined ? null : element]),
          ),
        )
      : shownOrWithheld(value, salt, (s) => canonicalJson([s, name, value]));
  }
  const metadata: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(event.metadata)) {
    if (['hash', 'prevHash', 'hashVersion', 'salts'].includes(name) || value === undefined) continue;
    metadata[name] = shownOrWithheld(value, salts.metadata[name], (s) => canonicalJson([s, name, value]));
  }
  return hashOverDigests(event, data, metadata, prevHash);
}

/** A small deterministic generator (mulberry32), so a failing seed can be replayed. */
function generator(seed: number) {
  let state = seed >>> 0;
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (n: number) => Math.floor(next() * n);
  const pick = <T>(choices: readonly T[]): T => choices[int(choices.length)]!;
  return { next, int, pick };
}

const NAMES = [
  'batchId',
  'orgId',
  'a',
  'B',
  'é',
  'ü',
  '€',
  '😀',
  'a"b',
  'back\\slash',
  '\u0007',
  '10',
  '2',
  '',
  'toJSON',
  'ñ €',
  'x'.repeat(70),
  '\ud800',
  'tab\there',
];
const STRINGS = [
  '',
  'BENCH-0000001',
  'ñandú',
  '😀 emoji',
  'quote " and \\ backslash',
  'line\nbreak',
  '\u0000\u001f',
  '\ud83d',
  'é'.repeat(100),
  '</script>',
  '\u2028\u2029',
];
const NUMBERS = [
  0,
  -0,
  1,
  -1,
  2.5,
  0.1 + 0.2,
  1e21,
  1e-7,
  1.5e-7,
  25_000_500,
  Number.MAX_SAFE_INTEGER,
  -1e300,
  5e-324,
];

/** A JSON-ish value of bounded depth; `odd` adds what only a caller's object (not a stored one) can hold. */
function generatedValue(g: ReturnType<typeof generator>, depth: number, odd: boolean): unknown {
  const kind = g.int(depth > 2 ? 4 : odd ? 9 : 6);
  switch (kind) {
    case 0:
      return g.pick(STRINGS);
    case 1:
      return g.pick(NUMBERS);
    case 2:
      return g.pick([true, false, null]);
    case 3:
      return `v${g.int(1000)}`;
    case 4:
      return Array.from({ length: g.int(4) }, () => generatedValue(g, depth + 1, odd));
    case 5: {
      const object: Record<string, unknown> = {};
      for (let i = g.int(5); i > 0; i--) object[g.pick(NAMES)] = generatedValue(g, depth + 1, odd);
      return object;
    }
    case 6:
      return new Date(Date.UTC(2026, g.int(12), 1 + g.int(28)));
    case 7:
      return { kept: 1, dropped: undefined, list: [1, undefined, 'x'] };
    default: {
      const bare = Object.create(null) as Record<string, unknown>;
      bare.z = 1;
      bare.a = [null];
      // A sparse array only inside a value: a top-level one cannot be sealed (freshSalts skips its holes).
      return g.int(2) === 0 || depth === 0 ? bare : [1, , 3]; // eslint-disable-line no-sparse-arrays
    }
  }
}

describe('eventHash against the definition, on generated events', () => {
  it.each(Array.from({ length: 60 }, (_, seed) => seed))(
    'agrees on event %i, shown, stored and with fields withheld',
    (seed) => {
      const g = generator(seed + 1);
      const odd = seed % 4 === 3;
      const data: Record<string, unknown> = {};
      const metadata: Record<string, unknown> = {};
      for (let i = g.int(14); i >= 0; i--) {
        data[g.pick(NAMES)] =
          g.int(4) === 0
            ? Array.from({ length: g.int(5) }, () => generatedValue(g, 1, odd))
            : generatedValue(g, 0, odd);
      }
      for (let i = g.int(8); i >= 0; i--) metadata[g.pick(NAMES)] = generatedValue(g, 0, odd);
      const event: HashableEvent = {
        stream: `batch-${g.pick(STRINGS)}`,
        revision: BigInt(g.int(1_000_000)),
        eventId: `e-${g.int(1e9)}`,
        type: g.pick(['BatchMined', 'Tÿpe', '😀']),
        data,
        metadata: { ...metadata, hashVersion: 2, salts: freshSalts(data, metadata) },
      };
      const prevHash = g.int(2) === 0 ? null : 'cd'.repeat(32);
      const expected = definitionHash(event, prevHash);
      expect(eventHash(event, prevHash)).toBe(expected);

      // As stored and read back (what verify-log hashes): JSON.parse's plain values.
      const stored = JSON.parse(JSON.stringify({ data, metadata: event.metadata })) as HashableEvent;
      if (!odd) expect(eventHash({ ...event, ...stored }, prevHash)).toBe(expected);

      // Every other field, and every other element of each array, withheld: the same hash.
      const salts = stored.metadata.salts as {
        data: Record<string, string | (string | null)[]>;
        metadata: Record<string, string>;
      };
      const shown = { ...stored.data };
      let k = 0;
      for (const [name, value] of Object.entries(shown)) {
        const salt = salts.data[name]!;
        if (Array.isArray(value)) {
          const elementSalts: (string | null)[] = [...(salt as string[])];
          shown[name] = value.map((element: unknown, i) => {
            if (k++ % 2 === 0) return element;
            const digest = elementDigest(elementSalts[i]!, element);
            elementSalts[i] = null;
            return withheld(digest);
          });
          salts.data[name] = elementSalts;
        } else if (k++ % 2 === 1) {
          shown[name] = withheld(fieldDigest(salt as string, name, value));
          delete salts.data[name];
        }
      }
      if (!odd)
        expect(eventHash({ ...event, data: shown, metadata: stored.metadata }, prevHash)).toBe(expected);
    },
  );
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
