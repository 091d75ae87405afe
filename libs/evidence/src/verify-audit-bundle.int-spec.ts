import {
  eventHash,
  SealingEventStore,
  SqliteEventStore,
  type StoredEvent,
  type StreamWrite,
} from '@tracelode/event-store';
import { CheckpointSigner, LogNotary, publicKeyDocument } from '@tracelode/log';
import {
  batchViewsOf,
  type CertificateSummary,
  LEDGER_PROJECTIONS,
  Projector,
  rebuildViews,
  type ViewLookup,
} from '@tracelode/projections';
import { ReadModelStore } from '@tracelode/read-models';
import { collect } from '@tracelode/testing';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { assembleAuditBundle } from './assemble-audit-bundle';
import {
  type AuditBundle,
  type BundledEvent,
  fromBundledEvent,
  STREAMS_STATEMENT,
  streamsStatement,
} from './audit-bundle';
import { collectEvidence, projectEvents, withProjectedViews } from './evidence';
import {
  certificateIssued,
  certificateSuspended,
  mined,
  organisation,
  shippedAndReceived,
  transformation,
} from '@tracelode/testing';
import { verifyAuditBundle } from './verify-audit-bundle';

/**
 * Refined batch P1 from mined M1 and M2 by transformation T1 (whose stream names them), at a plant whose
 * IRMA certificate was later suspended.
 */
const P1_STREAMS = [
  'batch-M1',
  'batch-M2',
  'batch-P1',
  'certificate-C-1',
  'org-irma',
  'org-mineco',
  'org-refco',
  'transformation-T1',
].sort();

const flipHex = (hex: string) => (hex[0] === '0' ? '1' : '0') + hex.slice(1);

describe('audit bundles of a real chain (SQLite files)', () => {
  let dir: string;
  let store: SealingEventStore;
  let views: ReadModelStore;
  let projector: Projector;
  let notary: LogNotary;
  const signer = CheckpointSigner.ephemeral();
  const live: ViewLookup = (collection, key) => views.get(collection, key);
  const opened: ReadModelStore[] = [];
  let beforeTransformation: bigint;
  let afterTransformation: bigint;
  let head: bigint;
  /** P1's bundle as a verifier receives it: JSON. */
  let bundle: AuditBundle;

  const appendEach = async (writes: StreamWrite[]) => {
    let position = 0n;
    for (const write of writes) ({ position } = await store.append([write]));
    return position;
  };
  const openViews = (name: string) => {
    const opening = ReadModelStore.open(join(dir, name));
    opened.push(opening);
    return opening;
  };
  /** A deep copy to tamper with. */
  const copy = (): { -readonly [K in keyof AuditBundle]: AuditBundle[K] } & { events: BundledEvent[] } =>
    structuredClone(bundle) as AuditBundle & { events: BundledEvent[] };
  const indexOf = (b: { events: readonly BundledEvent[] }, stream: string, revision: number) =>
    b.events.findIndex((event) => event.stream === stream && event.revision === String(revision));
  const eventOf = (stream: string, revision: number) => bundle.events[indexOf(bundle, stream, revision)]!;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tracelode-audit-bundle-'));
    store = new SealingEventStore(SqliteEventStore.open(join(dir, 'ledger.db')));
    views = openViews('views.db');
    projector = new Projector(store, views, LEDGER_PROJECTIONS);
    notary = LogNotary.open(store, join(dir, 'integrity.db'), signer, { everyEvents: 1000, everyMs: 60_000 });
    projector.start();
    notary.start();

    await appendEach([
      organisation('mineco', ['producer'], [['mt-weld', 'mine']]),
      organisation('refco', ['producer'], [['kuantan', 'processing_plant']]),
      organisation('irma', ['certifier'], []),
      certificateIssued('C-1', 'refco', 'kuantan'),
      mined('M1', 1_000_000, 500),
      mined('M2', 2_000_000, 800),
      mined('X1', 3_000_000, 900), // never refined into P1: must stay out of its bundle
      ...shippedAndReceived('M1', 1_000_000),
      ...shippedAndReceived('M2', 2_000_000),
    ]);
    beforeTransformation = await store.headPosition();
    ({ position: afterTransformation } = await store.append(
      transformation(
        'T1',
        [
          { batchId: 'M1', consumedGrams: 1_000_000, remainingGrams: 0 },
          { batchId: 'M2', consumedGrams: 1_500_000, remainingGrams: 500_000 },
        ],
        { batchId: 'P1', massGrams: 2_000_000 },
        300,
      ),
    ));
    head = await appendEach([certificateSuspended('C-1', 'Audit finding'), mined('X2', 1_000, 1)]);
    expect(await projector.waitFor(head, 10_000)).toBe(true);
    expect(await notary.waitFor(Number(head), 10_000)).toBe(true);

    const assembled = await assembleAuditBundle(store, notary, live, 'P1', {
      now: () => new Date('2026-11-28T12:00:00Z'),
    });
    bundle = JSON.parse(JSON.stringify(assembled)) as AuditBundle;
  });
  afterAll(async () => {
    await projector.stop();
    await notary.stop();
    for (const opening of opened) opening.close();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  describe('assembled', () => {
    it('verifies with the ledger’s public key, with nothing to warn about', () => {
      const verdict = verifyAuditBundle(bundle, { publicKey: signer.publicKey });

      expect(verdict.failure).toBeUndefined();
      expect(verdict.ok).toBe(true);
      expect(verdict.warnings).toEqual([]);
      expect(verdict.passed.map((line) => line.split(':')[0])).toEqual([
        'checkpoint',
        'streams',
        'events',
        'signatures',
        'views',
      ]);
    });

    it('verifies with the key it carries, warning that the ledger’s own key was not given', () => {
      const verdict = verifyAuditBundle(bundle);
      expect(verdict.ok).toBe(true);
      expect(verdict.warnings).toEqual([expect.stringMatching(/No public key was given/)]);
    });

    it('is signed over the whole log, and names the batch and the key', () => {
      expect(bundle.batchId).toBe('P1');
      expect(bundle.createdAt).toBe('2026-11-28T12:00:00.000Z');
      expect(bundle.checkpoint.treeSize).toBe(Number(head));
      expect(bundle.checkpoint.rootHash).toBe(notary.root(Number(head)).toString('hex'));
      expect(bundle.publicKey).toEqual(publicKeyDocument(signer.publicKey));
    });

    it('holds every event of the batch’s, its ancestors’, their organisations’ and certificates’ streams, and no other', async () => {
      expect(Object.keys(bundle.streams).sort()).toEqual(P1_STREAMS);
      const expected = (await collect(store.readAll())).filter((event) => P1_STREAMS.includes(event.stream));
      expect(bundle.events.map((event) => event.eventId)).toEqual(expected.map((event) => event.eventId));
      expect(bundle.events.map(fromBundledEvent)).toEqual(expected);
      for (const stream of P1_STREAMS) {
        const last = expected.filter((event) => event.stream === stream).at(-1)!;
        expect(bundle.streams[stream]).toEqual({
          revision: last.revision.toString(),
          position: last.position.toString(),
          eventId: last.eventId,
        });
      }
    });

    it('claims the views the live read models give', () => {
      expect(bundle.views).toEqual(JSON.parse(JSON.stringify(batchViewsOf('P1', live))));
      expect(bundle.views!.provenance.parents.map((parent) => parent.batchId).sort()).toEqual(['M1', 'M2']);
      expect(bundle.views!.certification.schemes[0]?.certificates[0]).toMatchObject({
        certificateId: 'C-1',
        status: 'suspended',
      });
    });

    it.each(['M1', 'M2', 'X1', 'X2'])(
      'of any other batch (%s) verifies too, claiming its live views',
      async (batchId) => {
        const other = JSON.parse(
          JSON.stringify(await assembleAuditBundle(store, notary, live, batchId)),
        ) as AuditBundle;
        expect(verifyAuditBundle(other, { publicKey: signer.publicKey })).toMatchObject({
          ok: true,
          warnings: [],
        });
        expect(other.views).toEqual(JSON.parse(JSON.stringify(batchViewsOf(batchId, live))));
        expect(Object.keys(other.streams)).toContain(`batch-${batchId}`);
        expect(Object.keys(other.streams)).not.toContain('batch-P1'); // a descendant is no part of its evidence
      },
    );

    it('is undefined for a batch the ledger does not hold', async () => {
      expect(await assembleAuditBundle(store, notary, live, 'NO-SUCH-BATCH')).toBeUndefined();
    });
  });

  describe('tampered with', () => {
    /** Each case alters a copy and says which event the verifier must name (undefined: none). */
    const cases: [string, (b: ReturnType<typeof copy>) => string | undefined][] = [
      [
        'a data value altered',
        (b) => {
          const event = b.events[indexOf(b, 'batch-M1', 0)]!;
          (event.data as { massGrams: number }).massGrams += 1;
          return event.eventId;
        },
      ],
      [
        'a metadata field altered',
        (b) => {
          const event = b.events[indexOf(b, 'batch-M2', 1)]!;
          event.metadata.actor = { orgId: 'someone-else', keyId: 'k', roles: ['producer'] };
          return event.eventId;
        },
      ],
      [
        'the hash altered',
        (b) => {
          const event = b.events[indexOf(b, 'batch-P1', 0)]!;
          event.metadata.hash = flipHex(event.metadata.hash as string);
          return event.eventId;
        },
      ],
      [
        'an event re-sealed over altered content (its hash matches, the signed tree does not hold it)',
        (b) => {
          const i = indexOf(b, 'batch-P1', 0);
          const event = b.events[i]!;
          const data = { ...event.data, massGrams: 2_500_000 };
          const prevHash = event.metadata.prevHash as string | null;
          const hash = eventHash(fromBundledEvent({ ...event, data }), prevHash);
          b.events[i] = { ...event, data, metadata: { ...event.metadata, hash } };
          return event.eventId;
        },
      ],
      [
        'a middle event of a stream removed (gap): the next one is named',
        (b) => {
          b.events.splice(indexOf(b, 'batch-M1', 1), 1);
          return eventOf('batch-M1', 2).eventId;
        },
      ],
      [
        'a stream’s first event removed: the next one is named',
        (b) => {
          b.events.splice(indexOf(b, 'batch-M2', 0), 1);
          return eventOf('batch-M2', 1).eventId;
        },
      ],
      [
        'a stream’s last event removed: named from the recorded stream heads',
        (b) => {
          const i = indexOf(b, 'certificate-C-1', 1);
          const removed = b.events[i]!.eventId;
          b.events.splice(i, 1);
          return removed;
        },
      ],
      [
        'a whole stream removed: its recorded last event is named',
        (b) => {
          b.events = b.events.filter((event) => event.stream !== 'org-irma');
          return bundle.streams['org-irma']!.eventId;
        },
      ],
      [
        'two events swapped in order: the one now out of order is named',
        (b) => {
          const i = indexOf(b, 'batch-M1', 0);
          const [first, second] = [b.events[i]!, b.events[i + 1]!];
          b.events[i] = second;
          b.events[i + 1] = first;
          return first.eventId;
        },
      ],
      [
        'an inclusion proof node flipped',
        (b) => {
          const event = b.events[indexOf(b, 'batch-M2', 2)]!;
          const proof = [...event.inclusionProof];
          proof[proof.length - 1] = flipHex(proof.at(-1)!);
          b.events[indexOf(b, 'batch-M2', 2)] = { ...event, inclusionProof: proof };
          return event.eventId;
        },
      ],
      [
        'an event placed beyond the signed tree',
        (b) => {
          const last = b.events.at(-1)!;
          const extra = { ...last, eventId: 'extra', position: String(b.checkpoint.treeSize + 1) };
          b.events.push(extra);
          return 'extra';
        },
      ],
    ];

    it.each(cases)('fails on %s, naming the event', (_name, tamper) => {
      const tampered = copy();
      const eventId = tamper(tampered);

      const verdict = verifyAuditBundle(tampered, { publicKey: signer.publicKey });

      expect(verdict.ok).toBe(false);
      expect(verdict.failure?.eventId).toBe(eventId);
      expect(['events', 'streams']).toContain(verdict.failure?.check);
      expect(verdict.failure?.message).toContain(eventId!);
      expect(verdict.passed).toEqual([expect.stringMatching(/^checkpoint:/)]);
      // The original is untouched, and still verifies.
      expect(verifyAuditBundle(bundle, { publicKey: signer.publicKey }).ok).toBe(true);
    });

    it('says why for a gap, a reordering and a stream cut short', () => {
      const gap = copy();
      gap.events.splice(indexOf(gap, 'batch-M1', 1), 1);
      expect(verifyAuditBundle(gap).failure?.message).toMatch(/skips from revision 0 to 2/);

      const swapped = copy();
      const i = indexOf(swapped, 'batch-M1', 0);
      [swapped.events[i], swapped.events[i + 1]] = [swapped.events[i + 1]!, swapped.events[i]!];
      expect(verifyAuditBundle(swapped).failure?.message).toMatch(/not in log order/);

      const cut = copy();
      cut.events.splice(indexOf(cut, 'certificate-C-1', 1), 1);
      expect(verifyAuditBundle(cut).failure).toMatchObject({ check: 'streams' });
      expect(verifyAuditBundle(cut).failure?.message).toMatch(
        /certificate-C-1 ends at revision 0, but the ledger recorded it up to revision 1/,
      );
    });

    // Found while writing these tests: `streams` was covered by no signature, so whoever cut a stream could
    // rewrite its recorded head (and the claimed views) to match. The ledger now signs the heads.
    const recomputeViews = (tampered: ReturnType<typeof copy>) => {
      tampered.views = withProjectedViews(tampered.events.map(fromBundledEvent), (lookup) =>
        batchViewsOf(tampered.batchId, lookup),
      )!;
    };

    it('fails when a stream’s last event is cut and `streams` and `views` are rewritten to match', () => {
      const tampered = copy();
      const revision0 = tampered.events[indexOf(tampered, 'certificate-C-1', 0)]!;
      tampered.events.splice(indexOf(tampered, 'certificate-C-1', 1), 1);
      tampered.streams = {
        ...tampered.streams,
        'certificate-C-1': { revision: '0', position: revision0.position, eventId: revision0.eventId },
      };
      recomputeViews(tampered);

      const verdict = verifyAuditBundle(tampered, { publicKey: signer.publicKey });
      expect(verdict.ok).toBe(false);
      expect(verdict.failure).toMatchObject({ check: 'streams' });
      expect(verdict.failure?.message).toMatch(/not the ones the ledger signed/);
    });

    it('fails when a whole stream is left out together with its `streams` entry and the views rewritten', () => {
      const tampered = copy();
      tampered.events = tampered.events.filter((event) => event.stream !== 'certificate-C-1');
      const streams = { ...tampered.streams };
      delete streams['certificate-C-1'];
      tampered.streams = streams;
      recomputeViews(tampered);

      expect(verifyAuditBundle(tampered, { publicKey: signer.publicKey }).failure).toMatchObject({
        check: 'streams',
      });
    });

    it('fails on a stream claimed empty that the bundle holds events of', () => {
      const tampered = copy();
      tampered.streams = { ...tampered.streams, 'batch-M1': null };
      expect(verifyAuditBundle(tampered).failure).toMatchObject({ check: 'streams' });
    });

    it.each([
      [
        'timestamp',
        (b: ReturnType<typeof copy>) => ({ ...b.checkpoint, timestamp: '2026-11-28T12:00:00.000Z' }),
      ],
      [
        'root hash',
        (b: ReturnType<typeof copy>) => ({ ...b.checkpoint, rootHash: flipHex(b.checkpoint.rootHash) }),
      ],
      [
        'tree size',
        (b: ReturnType<typeof copy>) => ({ ...b.checkpoint, treeSize: b.checkpoint.treeSize - 1 }),
      ],
      [
        'signature',
        (b: ReturnType<typeof copy>) => ({ ...b.checkpoint, signature: flipHex(b.checkpoint.signature) }),
      ],
    ])('fails the signature check when the checkpoint’s %s is altered', (_field, alter) => {
      const tampered = copy();
      tampered.checkpoint = alter(tampered);

      const verdict = verifyAuditBundle(tampered, { publicKey: signer.publicKey });

      expect(verdict.ok).toBe(false);
      expect(verdict.failure?.check).toBe('checkpoint');
      expect(verdict.failure?.eventId).toBeUndefined();
      expect(verdict.passed).toEqual([]);
    });

    it('fails against another key, and says the bundle names a different one', () => {
      const other = CheckpointSigner.ephemeral();
      const verdict = verifyAuditBundle(bundle, { publicKey: other.publicKey });
      expect(verdict.failure?.check).toBe('checkpoint');
      expect(verdict.warnings).toEqual([expect.stringContaining(other.keyId)]);
    });

    it('re-signed by a forger, passes only on the key it carries, never on the ledger’s', () => {
      const forger = CheckpointSigner.ephemeral();
      const tampered = copy();
      tampered.publicKey = publicKeyDocument(forger.publicKey);
      tampered.checkpoint = forger.sign(tampered.checkpoint);
      tampered.streamsSignature = forger.signStatement(STREAMS_STATEMENT, streamsStatement(tampered));

      expect(verifyAuditBundle(tampered).ok).toBe(true);
      expect(verifyAuditBundle(tampered, { publicKey: signer.publicKey }).failure?.check).toBe('checkpoint');
    });

    it('fails when a claimed view value differs from what the events give', () => {
      const tampered = copy();
      const carbon = tampered.views!.carbon as { embodiedKgCo2e: number };
      carbon.embodiedKgCo2e += 1;

      const verdict = verifyAuditBundle(tampered, { publicKey: signer.publicKey });

      expect(verdict.failure?.check).toBe('views');
      expect(verdict.failure?.message).toMatch(/carbon view .* at carbon\.embodiedKgCo2e/);
      expect(verdict.passed).toHaveLength(4);
    });

    it('fails when the views claim a certificate status the events do not give', () => {
      const tampered = copy();
      const certificate = tampered.views!.certification.schemes[0]!.certificates[0] as {
        -readonly [K in keyof CertificateSummary]: CertificateSummary[K];
      };
      certificate.status = 'valid';
      expect(verifyAuditBundle(tampered).failure?.check).toBe('views');
    });

    it.each<[string, (b: ReturnType<typeof copy>) => unknown]>([
      ['not an object', () => 'a bundle'],
      ['null', () => null],
      ['a number', () => 42],
      ['another format', (b) => ({ ...b, format: 'tracelode-audit-bundle/v0' })],
      ['no batch', (b) => ({ ...b, batchId: undefined })],
      ['no events', (b) => ({ ...b, events: [] })],
      ['events not a list', (b) => ({ ...b, events: {} })],
      [
        'a checkpoint without a usable root',
        (b) => ({ ...b, checkpoint: { ...b.checkpoint, rootHash: 'xyz' } }),
      ],
      ['a checkpoint of size 0', (b) => ({ ...b, checkpoint: { ...b.checkpoint, treeSize: 0 } })],
      ['no views', (b) => ({ ...b, views: undefined })],
      ['no public key', (b) => ({ ...b, publicKey: undefined })],
    ])('refuses a malformed bundle (%s) by its format', (_name, malform) => {
      const verdict = verifyAuditBundle(malform(copy()), { publicKey: signer.publicKey });
      expect(verdict.ok).toBe(false);
      expect(verdict.failure?.check).toBe('format');
      expect(verdict.passed).toEqual([]);
    });
  });

  describe('evidence at an earlier position', () => {
    /** The views as they stood at `position`, replayed from the store by the projections' own rebuild. */
    const rebuiltAt = async (position: bigint, name: string): Promise<ViewLookup> => {
      const rebuilt = openViews(name);
      expect(await rebuildViews(store, rebuilt, LEDGER_PROJECTIONS, { to: position })).toBe(Number(position));
      return (collection, key) => rebuilt.get(collection, key);
    };
    const expectWholeStreamsUpTo = async (events: readonly StoredEvent[], streams: string[], at: bigint) => {
      const all = await collect(store.readAll());
      expect(events).toEqual(all.filter((event) => streams.includes(event.stream) && event.position <= at));
    };

    it('holds only events at or before the position, and projects to the views as they were', async () => {
      const evidence = await collectEvidence(store, live, ['P1'], afterTransformation);

      expect(evidence.events.length).toBeGreaterThan(0);
      expect(evidence.events.every((event) => event.position <= afterTransformation)).toBe(true);
      await expectWholeStreamsUpTo(evidence.events, evidence.streams, afterTransformation);
      expect([...evidence.streams].sort()).toEqual(P1_STREAMS);

      const then = withProjectedViews(evidence.events, (lookup) => batchViewsOf('P1', lookup));
      const rebuilt = batchViewsOf('P1', await rebuiltAt(afterTransformation, 'after-transformation.db'));
      expect(then).toEqual(rebuilt);
      // The suspension came later: then, the certificate was valid; now it is not.
      expect(then?.certification.schemes[0]?.certificates[0]?.status).toBe('valid');
      expect(batchViewsOf('P1', live)?.certification.schemes[0]?.certificates[0]?.status).toBe('suspended');
    });

    it('gives an ancestor’s views from before it was refined', async () => {
      const evidence = await collectEvidence(store, live, ['M2'], beforeTransformation);

      expect(evidence.events.every((event) => event.position <= beforeTransformation)).toBe(true);
      await expectWholeStreamsUpTo(evidence.events, evidence.streams, beforeTransformation);
      const then = withProjectedViews(evidence.events, (lookup) => batchViewsOf('M2', lookup));
      expect(then).toEqual(
        batchViewsOf('M2', await rebuiltAt(beforeTransformation, 'before-transformation.db')),
      );
      expect(then?.custody.remainingMassKg).toBe(2000);
      expect(batchViewsOf('M2', live)?.custody.remainingMassKg).toBe(500);
    });

    it('gives no views of a batch before it existed', async () => {
      const evidence = await collectEvidence(store, live, ['P1'], beforeTransformation);
      expect(evidence.events.some((event) => event.stream === 'batch-P1')).toBe(false);
      expect(withProjectedViews(evidence.events, (lookup) => batchViewsOf('P1', lookup))).toBeUndefined();
    });

    it('projects into views checkpointed at the last event given', async () => {
      const evidence = await collectEvidence(store, live, ['M1'], beforeTransformation);
      const projected = projectEvents(evidence.events);
      try {
        expect(projected.checkpoint()).toBe(evidence.events.at(-1)!.position);
      } finally {
        projected.close();
      }
      const empty = projectEvents([]);
      expect(empty.checkpoint()).toBe(0n);
      empty.close();
    });
  });
});
