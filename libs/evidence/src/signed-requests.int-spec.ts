import {
  commandEnvelopes,
  decodeEvent,
  encodeEvent,
  type LedgerEvent,
  toBatchStreamId,
  toOrgStreamId,
  toTransformationStreamId,
} from '@tracelode/domain';
import {
  type EventToAppend,
  SealingEventStore,
  SqliteEventStore,
  type StreamWrite,
} from '@tracelode/event-store';
import { CheckpointSigner, LogNotary } from '@tracelode/log';
import { LEDGER_PROJECTIONS, Projector, type ViewLookup } from '@tracelode/projections';
import { ReadModelStore } from '@tracelode/read-models';
import { parseSignedRequest, signRequest, toPublicJwk } from '@tracelode/request-signatures';
import { mined, organisation, shippedAndReceived, transformation, write } from '@tracelode/testing';
import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { assembleAuditBundle } from './assemble-audit-bundle';
import type { AuditBundle, BundledEvent } from './audit-bundle';
import { verifyAuditBundle } from './verify-audit-bundle';
import { withholdFields } from './withhold';

const KEY_ID = 'refco-1';
const refcoKey = generateKeyPairSync('ed25519');

const keyRegistered = write(toOrgStreamId('refco'), 'refco', {
  type: 'SigningKeyRegistered',
  data: {
    orgId: 'refco',
    keyId: KEY_ID,
    publicKey: toPublicJwk(refcoKey.publicKey),
    registeredAt: '2026-02-01T00:00:00Z',
  },
});

/** Rewrites an event's envelope the way a lying (or broken) ledger would, before sealing. */
type Lie = (
  event: EventToAppend,
  metadata: Record<string, unknown>,
  ids: Readonly<Record<string, string>>,
) => Record<string, unknown>;

/**
 * A command's writes (one transformation) as the API appends a command Refco signed: one commandId, the
 * signed request in the first event's envelope, the others naming it (ADR 0026). `lie` may then alter an
 * envelope; the ledger seals whatever it is given.
 */
function signedCommand(writes: StreamWrite[], lie?: Lie): StreamWrite[] {
  const events = writes.flatMap((w) => w.events);
  const body = JSON.stringify({ events: events.map((event) => event.data) });
  const headers = signRequest({
    method: 'POST',
    path: '/transformations',
    body,
    privateKey: refcoKey.privateKey,
    keyId: KEY_ID,
  });
  const parsed = parseSignedRequest({
    method: 'POST',
    path: '/transformations',
    headers,
    body: Buffer.from(body),
  });
  if (!parsed.ok) throw new Error(parsed.message);
  const envelopeFor = commandEnvelopes({
    commandId: randomUUID(),
    commandType: 'TransformBatches',
    actor: { orgId: 'refco', keyId: 'refco-api-key', roles: ['producer'] },
    recordedAt: '2026-04-01T00:00:00Z',
    signedRequest: parsed.signed,
    requestSignature: { keyId: KEY_ID, alg: 'ed25519', verified: true },
  });
  const ids = Object.fromEntries(
    events.map((event) => [`${event.type}:${event.data.batchId as string}`, event.eventId]),
  );
  return writes.map((w) => ({
    ...w,
    events: w.events.map((event) => {
      const encoded = encodeEvent(decodeEvent(event).event, envelopeFor(event.eventId), event.eventId);
      const metadata = lie ? lie(event, { ...encoded.metadata }, ids) : encoded.metadata;
      return { ...encoded, metadata };
    }),
  }));
}

/** One ledger on SQLite files, its views and its notary; bundles assembled as the API does. */
class Ledger {
  readonly signer = CheckpointSigner.ephemeral();
  private readonly dir = mkdtempSync(join(tmpdir(), 'tracelode-signed-'));
  readonly store = new SealingEventStore(SqliteEventStore.open(join(this.dir, 'ledger.db')));
  private readonly views = ReadModelStore.open(join(this.dir, 'views.db'));
  private readonly projector = new Projector(this.store, this.views, LEDGER_PROJECTIONS);
  private readonly notary = LogNotary.open(this.store, join(this.dir, 'integrity.db'), this.signer, {
    everyEvents: 1000,
    everyMs: 60_000,
  });
  private readonly live: ViewLookup = (collection, key) => this.views.get(collection, key);

  constructor() {
    this.projector.start();
    this.notary.start();
  }

  /** Each element one append (a command's writes are appended together). */
  async append(...appends: StreamWrite[][]): Promise<void> {
    let head = 0n;
    for (const writes of appends) ({ position: head } = await this.store.append(writes));
    expect(await this.projector.waitFor(head, 10_000)).toBe(true);
    expect(await this.notary.waitFor(Number(head), 10_000)).toBe(true);
  }

  async bundle(batchId: string): Promise<AuditBundle> {
    return JSON.parse(
      JSON.stringify(await assembleAuditBundle(this.store, this.notary, this.live, batchId)),
    ) as AuditBundle;
  }

  verify(bundle: AuditBundle) {
    return verifyAuditBundle(bundle, { publicKey: this.signer.publicKey });
  }

  async close(): Promise<void> {
    await this.projector.stop();
    await this.notary.stop();
    this.views.close();
    await this.store.close();
    rmSync(this.dir, { recursive: true, force: true });
  }
}

const setting = (): StreamWrite[][] =>
  [
    organisation('mineco', ['producer'], [['mt-weld', 'mine']]),
    organisation('refco', ['producer'], [['kuantan', 'processing_plant']]),
    keyRegistered,
    ...['M1', 'M2', 'M3', 'M4', 'M5'].flatMap((id) => [
      mined(id, 1_000_000, 500),
      ...shippedAndReceived(id, 1_000_000),
    ]),
  ].map((w) => [w]);

const refine = (id: string, inputs: string[], output: string) =>
  transformation(
    id,
    inputs.map((batchId) => ({ batchId, consumedGrams: 1_000_000, remainingGrams: 0 })),
    { batchId: output, massGrams: 900_000 * inputs.length },
    300,
  );

const requestSignature = (event: BundledEvent) =>
  event.metadata.requestSignature as { keyId: string; requestEventId?: string };
const ofType = (bundle: AuditBundle, type: string) => bundle.events.filter((event) => event.type === type);

describe('signed commands in audit bundles: the request stored once (ADR 0026)', () => {
  describe('as the ledger writes them', () => {
    const ledger = new Ledger();
    let p1: AuditBundle;

    beforeAll(async () => {
      await ledger.append(...setting(), signedCommand(refine('T1', ['M1', 'M2'], 'P1')));
      p1 = await ledger.bundle('P1');
    });
    afterAll(() => ledger.close());

    it('keeps the request in the declaration only; each batch event names it', () => {
      const [declaration] = ofType(p1, 'TransformationRecorded');
      expect(declaration!.metadata.signedRequest).toMatchObject({ keyId: KEY_ID });
      expect(requestSignature(declaration!)).toEqual({ keyId: KEY_ID, alg: 'ed25519', verified: true });
      const batchEvents = [...ofType(p1, 'BatchRefined'), ...ofType(p1, 'BatchProduced')];
      expect(batchEvents).toHaveLength(3);
      for (const event of batchEvents) {
        expect(event.metadata).not.toHaveProperty('signedRequest');
        expect(requestSignature(event)).toEqual({
          keyId: KEY_ID,
          alg: 'ed25519',
          verified: true,
          requestEventId: declaration!.eventId,
        });
      }
    });

    it('verifies the carrying event’s signature, and counts the events naming it as signed by it', () => {
      const verdict = ledger.verify(p1);
      expect(verdict.failure).toBeUndefined();
      expect(verdict.signatures).toEqual({ signed: 1, referenced: 3, attested: 0 });
      expect(verdict.passed).toContainEqual(
        "signatures: 1 events carry their organisation's RFC 9421 signature, each verified against the key the bundle shows registered to it at the time; 3 more, of the same commands, name the event that carries it",
      );
    });

    it('counts an event whose request is held by an event not in the bundle as attested by the ledger’s record', async () => {
      // One signed command assaying M2, then M1: M1's bundle holds M1's assay, not M2's, which holds the request.
      const assay = (batchId: string): LedgerEvent => ({
        type: 'BatchAssayed',
        data: {
          batchId,
          assayId: `A-${batchId}`,
          byOrgId: 'refco',
          lab: 'Kuantan lab',
          method: 'XRF',
          grade: { TREO: 41 },
          occurredAt: '2026-03-20T00:00:00Z',
        },
      });
      await ledger.append(
        signedCommand([
          write(toBatchStreamId('M2'), 'refco', assay('M2')),
          write(toBatchStreamId('M1'), 'refco', assay('M1')),
        ]),
      );
      const m1 = await ledger.bundle('M1');
      expect(Object.keys(m1.streams)).not.toContain(toBatchStreamId('M2'));
      const verdict = ledger.verify(m1);
      expect(verdict.failure).toBeUndefined();
      // T1's declaration is in M1's bundle (M1 was refined by it): its BatchRefined is signed by reference.
      expect(verdict.signatures).toEqual({ signed: 1, referenced: 1, attested: 1 });
      expect(verdict.passed).toContainEqual(
        expect.stringMatching(
          /^signatures: 1 events carry .*; 1 more, of the same commands, name the event that carries it; 1 more were signed, the request withheld or held by an event not in the bundle: the ledger's record/,
        ),
      );
    });

    it('counts them attested when the carrying event’s request is withheld', () => {
      const withheld = {
        ...p1,
        events: p1.events.map((event) =>
          event.type === 'TransformationRecorded' ? withholdFields(event, ['metadata.signedRequest']) : event,
        ),
      };
      expect(JSON.stringify(withheld)).not.toContain('content-digest');
      const verdict = ledger.verify(withheld);
      expect(verdict.failure).toBeUndefined();
      expect(verdict.signatures).toEqual({ signed: 0, referenced: 0, attested: 4 });
    });

    it.each([
      [
        'the event it names',
        (event: BundledEvent, bundle: AuditBundle) => ({
          ...requestSignature(event),
          requestEventId: ofType(bundle, 'BatchRefined')[0]!.eventId,
        }),
      ],
      ['the key id', (event: BundledEvent) => ({ ...requestSignature(event), keyId: 'refco-2' })],
    ])('fails at an altered reference (%s), naming the event', (_, alter) => {
      const tampered = structuredClone(p1) as AuditBundle & { events: BundledEvent[] };
      const i = tampered.events.findIndex((event) => event.type === 'BatchProduced');
      const event = tampered.events[i]!;
      tampered.events[i] = { ...event, metadata: { ...event.metadata, requestSignature: alter(event, p1) } };
      const verdict = ledger.verify(tampered);
      expect(verdict.ok).toBe(false);
      expect(verdict.failure).toMatchObject({ check: 'events', eventId: event.eventId });
    });
  });

  /** A ledger that seals wrong references: the hashes hold, the signature check does not. */
  describe('as a lying ledger might seal them', () => {
    const ledger = new Ledger();
    const produced = (event: EventToAppend) => event.type === 'BatchProduced';
    let p1Declaration: string;

    beforeAll(async () => {
      await ledger.append(...setting(), signedCommand(refine('T1', ['M1', 'M2'], 'P1')));
      for await (const event of ledger.store.readStream(toTransformationStreamId('T1')))
        p1Declaration = event.eventId;
      await ledger.append(
        // The output names an event of its command that holds no request.
        signedCommand(refine('T2', ['M3'], 'P2'), (event, metadata, ids) =>
          produced(event)
            ? {
                ...metadata,
                requestSignature: {
                  keyId: KEY_ID,
                  alg: 'ed25519',
                  verified: true,
                  requestEventId: ids['BatchRefined:M3'],
                },
              }
            : metadata,
        ),
        // The output records another key than the one its request was signed with.
        signedCommand(refine('T3', ['M4'], 'P3'), (event, metadata) =>
          produced(event)
            ? {
                ...metadata,
                requestSignature: { ...(metadata.requestSignature as object), keyId: 'refco-2' },
              }
            : metadata,
        ),
        // The output names the request of another command (T1's declaration, in P4's bundle through P1).
        signedCommand(refine('T4', ['P1'], 'P4'), (event, metadata) =>
          produced(event)
            ? {
                ...metadata,
                requestSignature: {
                  keyId: KEY_ID,
                  alg: 'ed25519',
                  verified: true,
                  requestEventId: p1Declaration,
                },
              }
            : metadata,
        ),
        // The output names an event not in any bundle, while its command's own request is in P5's.
        signedCommand(refine('T5', ['M5'], 'P5'), (event, metadata) =>
          produced(event)
            ? {
                ...metadata,
                requestSignature: {
                  keyId: KEY_ID,
                  alg: 'ed25519',
                  verified: true,
                  requestEventId: randomUUID(),
                },
              }
            : metadata,
        ),
      );
    });
    afterAll(() => ledger.close());

    it.each([
      ['P2', /names event .* as holding its signed request, which holds none/],
      ['P3', /the ledger records key refco-2, but Event .* holds a request signed with refco-1/],
      ['P4', /as holding its signed request, which is of command .*, not /],
      ['P5', /names event .* as holding its signed request, but Event .* of its command holds it/],
    ])('fails %s’s bundle at the signature check, naming its BatchProduced', async (batchId, message) => {
      const bundle = await ledger.bundle(batchId);
      const output = bundle.events.find(
        (event) => event.type === 'BatchProduced' && event.data.batchId === batchId,
      )!;
      const verdict = ledger.verify(bundle);
      expect(verdict.passed.map((line) => line.split(':')[0])).toContain('events');
      expect(verdict.failure).toMatchObject({ check: 'signatures', eventId: output.eventId });
      expect(verdict.failure!.message).toMatch(message);
    });
  });
});
