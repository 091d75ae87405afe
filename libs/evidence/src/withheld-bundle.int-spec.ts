import {
  type LedgerEvent,
  toBatchStreamId,
  toOrgStreamId,
  toTransformationStreamId,
} from '@tracelode/domain';
import {
  elementDigest,
  eventHash,
  InMemoryEventStore,
  SealingEventStore,
  SqliteEventStore,
  type StoredEvent,
  type StreamWrite,
  WITHHELD_KEY,
} from '@tracelode/event-store';
import { CheckpointSigner, LogNotary } from '@tracelode/log';
import { LEDGER_PROJECTIONS, Projector, type ViewLookup } from '@tracelode/projections';
import { ReadModelStore } from '@tracelode/read-models';
import { certificateIssued, mined, organisation, transformationEvents, write } from '@tracelode/testing';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { assembleAuditBundle } from './assemble-audit-bundle';
import type { AuditBundle, BundledEvent } from './audit-bundle';
import { verifyAuditBundle } from './verify-audit-bundle';
import { WithholdingChangesViewsError } from './withheld-views';
import { withheldPaths, withholdFields, type WithholdSelector, WithholdPathError } from './withhold';

const TRADER = 'hanse-trading-gmbh';
const SIBLING = 'SIBLING-LOT-77';
const BILLS = ['MAEU-604411', 'MAEU-604412'];

/** Mineco's lot M1 refined at Refco into P1 and a sibling; P1 sold through a trader to Magco. */
function chain(): StreamWrite[] {
  const ship = (from: string, to: string, bill: string, n: number): LedgerEvent => ({
    type: 'BatchShipped',
    data: {
      batchId: 'P1',
      shipmentId: `SHP-${n}`,
      fromOrgId: from,
      fromFacilityId: from === TRADER ? 'bonded-1' : 'kuantan',
      toOrgId: to,
      toFacilityId: to === TRADER ? 'bonded-1' : 'himeji',
      massGrams: 400_000,
      documents: [{ type: 'bill_of_lading', number: bill }],
      occurredAt: `2026-05-0${n}T00:00:00Z`,
    },
  });
  const receive = (orgId: string, n: number): LedgerEvent => ({
    type: 'BatchReceived',
    data: {
      batchId: 'P1',
      shipmentId: `SHP-${n}`,
      orgId,
      facilityId: orgId === TRADER ? 'bonded-1' : 'himeji',
      receivedMassGrams: 400_000,
      discrepancyGrams: 0,
      occurredAt: `2026-05-0${n}T12:00:00Z`,
    },
  });
  const [declaration, ...batchEvents] = transformationEvents({
    transformationId: 'T1',
    process: 'solvent_extraction',
    orgId: 'refco',
    facilityId: 'kuantan',
    inputs: [{ batchId: 'M1', consumedGrams: 1_000_000 }],
    outputs: [
      {
        batchId: 'P1',
        material: { form: 'oxide', elements: ['Nd', 'Pr'] },
        massGrams: 400_000,
        allocation: { method: 'mass', share: 0.4 },
      },
      {
        batchId: SIBLING,
        material: { form: 'oxide', elements: ['Nd', 'Pr'] },
        massGrams: 600_000,
        allocation: { method: 'mass', share: 0.6 },
      },
    ],
    residues: [],
    unaccountedLossGrams: 0,
    processEmissionsKgCo2e: 300,
    occurredAt: '2026-04-01T00:00:00Z',
  });
  return [
    organisation('mineco', ['producer'], [['mt-weld', 'mine']]),
    organisation('refco', ['producer'], [['kuantan', 'processing_plant']]),
    organisation(TRADER, ['producer'], [['bonded-1', 'processing_plant']]),
    organisation('magco', ['producer'], [['himeji', 'processing_plant']]),
    organisation('irma', ['certifier'], []),
    certificateIssued('C-1', 'refco', 'kuantan'),
    mined('M1', 1_000_000, 500),
    write(toTransformationStreamId('T1'), 'refco', declaration),
    ...batchEvents.map((event) => write(toBatchStreamId(event.data.batchId), 'refco', event)),
    write(toBatchStreamId('P1'), 'refco', ship('refco', TRADER, BILLS[0]!, 1)),
    write(toBatchStreamId('P1'), TRADER, receive(TRADER, 2)),
    write(toBatchStreamId('P1'), TRADER, ship(TRADER, 'magco', BILLS[1]!, 3)),
    write(toBatchStreamId('P1'), 'magco', receive('magco', 4)),
  ];
}

/** What the magnet maker would not be shown: the trader's identity, bills, shipments, the sibling lot. */
const handChosen: WithholdSelector = (event) => {
  const data = event.data as Record<string, unknown>;
  const actor = (event.metadata.actor as { orgId?: string } | undefined)?.orgId;
  const paths: string[] = [];
  if (event.type === 'BatchShipped') paths.push('data.documents', 'data.shipmentId', 'data.toOrgId');
  if (event.type === 'BatchReceived') paths.push('data.shipmentId');
  if (data.fromOrgId === TRADER) paths.push('data.fromOrgId');
  if (data.orgId === TRADER) paths.push('data.orgId');
  if (actor === TRADER) paths.push('metadata.actor');
  if (event.type === 'TransformationRecorded') {
    (data.outputs as { batchId: string }[]).forEach(
      (output, i) => output.batchId !== 'P1' && paths.push(`data.outputs[${i}]`),
    );
  }
  return paths;
};

describe('an audit bundle with fields withheld (SQLite files)', () => {
  let dir: string;
  let store: SealingEventStore;
  let views: ReadModelStore;
  let projector: Projector;
  let notary: LogNotary;
  const signer = CheckpointSigner.ephemeral();
  const live: ViewLookup = (collection, key) => views.get(collection, key);
  let full: AuditBundle;
  let withheld: AuditBundle;
  let text: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tracelode-withheld-'));
    store = new SealingEventStore(SqliteEventStore.open(join(dir, 'ledger.db')));
    views = ReadModelStore.open(join(dir, 'views.db'));
    projector = new Projector(store, views, LEDGER_PROJECTIONS);
    notary = LogNotary.open(store, join(dir, 'integrity.db'), signer, { everyEvents: 1000, everyMs: 60_000 });
    projector.start();
    notary.start();
    let head = 0n;
    for (const w of chain()) ({ position: head } = await store.append([w]));
    expect(await projector.waitFor(head, 10_000)).toBe(true);
    expect(await notary.waitFor(Number(head), 10_000)).toBe(true);
    const json = (bundle: AuditBundle | undefined) => JSON.parse(JSON.stringify(bundle)) as AuditBundle;
    full = json(await assembleAuditBundle(store, notary, live, 'P1'));
    text = JSON.stringify(await assembleAuditBundle(store, notary, live, 'P1', { withhold: handChosen }));
    withheld = JSON.parse(text) as AuditBundle;
  });
  afterAll(async () => {
    await projector.stop();
    await notary.stop();
    views.close();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('verifies, saying which fields were withheld per event type', () => {
    const verdict = verifyAuditBundle(withheld, { publicKey: signer.publicKey });
    expect(verdict.failure).toBeUndefined();
    expect(verdict.withheld).toEqual({
      BatchShipped: {
        events: 2,
        fields: {
          'data.documents[]': 2,
          'data.shipmentId': 2,
          'data.toOrgId': 2,
          'data.fromOrgId': 1,
          'metadata.actor': 1,
        },
      },
      BatchReceived: { events: 2, fields: { 'data.shipmentId': 2, 'data.orgId': 1, 'metadata.actor': 1 } },
      TransformationRecorded: { events: 1, fields: { 'data.outputs[]': 1 } },
    });
    expect(verdict.passed).toContainEqual(
      expect.stringMatching(/^withheld: 13 fields in 5 events, each committed by its digest/),
    );
    expect(verifyAuditBundle(full, { publicKey: signer.publicKey }).withheld).toBeUndefined();
  });

  it('contains none of the withheld values, and leaves out the stream only they named', () => {
    for (const value of [TRADER, SIBLING, ...BILLS, 'SHP-1', 'SHP-3']) expect(text).not.toContain(value);
    expect(Object.keys(full.streams)).toContain(toOrgStreamId(TRADER));
    expect(Object.keys(withheld.streams)).not.toContain(toOrgStreamId(TRADER));
    expect(withheld.events.length).toBe(
      full.events.length - full.events.filter((e) => e.stream === toOrgStreamId(TRADER)).length,
    );
  });

  it('claims the full views, with withheld values shown as withheld and nothing guessed', () => {
    expect(withheld.views!.provenance).toEqual(full.views!.provenance);
    expect(withheld.views!.carbon).toEqual(full.views!.carbon);
    const { schemes, lateSteps } = withheld.views!.certification;
    expect(schemes.map((s) => [s.scheme, s.chainCovered, s.certifiedShare])).toEqual(
      full.views!.certification.schemes.map((s) => [s.scheme, s.chainCovered, s.certifiedShare]),
    );
    expect(lateSteps.length).toBe(full.views!.certification.lateSteps.length);
    const traderSteps = schemes[0]!.gaps.filter((gap) => typeof gap.orgId !== 'string');
    expect(traderSteps.map((gap) => [gap.step, gap.reason, Object.keys(gap.orgId)])).toEqual([
      ['BatchReceived', 'NO_CERTIFICATE', [WITHHELD_KEY]],
      ['BatchShipped', 'NO_CERTIFICATE', [WITHHELD_KEY]],
    ]);
    const shipped = withheld.views!.custody.timeline.find((entry) => entry.type === 'BatchShipped')!;
    expect(shipped.details.toOrgId).toEqual({ [WITHHELD_KEY]: expect.any(String) });
  });

  describe('tampered with', () => {
    const traderReceipt = () => withheld.events.findIndex((e) => e.type === 'BatchReceived');
    const cases: [string, (event: BundledEvent) => BundledEvent][] = [
      ['a shown value changed', (e) => ({ ...e, data: { ...e.data, receivedMassGrams: 400_001 } })],
      [
        'a withheld digest changed',
        (e) => ({ ...e, data: { ...e.data, orgId: { [WITHHELD_KEY]: elementDigest('x', 'y') } } }),
      ],
      [
        'a withheld field revealed with a wrong value (and a salt of the forger’s own)',
        (e) => {
          const salts = e.metadata.salts as { data: Record<string, unknown>; metadata: object };
          return {
            ...e,
            data: { ...e.data, orgId: 'magco' },
            metadata: {
              ...e.metadata,
              salts: { ...salts, data: { ...salts.data, orgId: 'AAAAAAAAAAAAAAAAAAAAAA' } },
            },
          };
        },
      ],
      ['a withheld field shown without a salt', (e) => ({ ...e, data: { ...e.data, orgId: 'magco' } })],
    ];

    it.each(cases)('fails on %s, naming the event', (_name, tamper) => {
      const tampered = structuredClone(withheld) as AuditBundle & { events: BundledEvent[] };
      const i = traderReceipt();
      tampered.events[i] = tamper(tampered.events[i]!);
      const verdict = verifyAuditBundle(tampered, { publicKey: signer.publicKey });
      expect(verdict.ok).toBe(false);
      expect(verdict.failure).toMatchObject({ check: 'events', eventId: withheld.events[i]!.eventId });
      expect(verdict.failure?.message).toContain(withheld.events[i]!.eventId);
    });
  });

  it('is refused when what is withheld would change a view, not handed out with a guess', async () => {
    const massWithheld: WithholdSelector = (event) => (event.type === 'BatchMined' ? ['data.massGrams'] : []);
    await expect(assembleAuditBundle(store, notary, live, 'P1', { withhold: massWithheld })).rejects.toThrow(
      WithholdingChangesViewsError,
    );
  });
});

describe('withholdFields', () => {
  let sealed: StoredEvent;
  beforeAll(async () => {
    const store = new SealingEventStore(new InMemoryEventStore());
    await store.append([chain()[11]!]); // Refco ships P1 to the trader
    for await (const event of store.readAll()) sealed = event;
  });

  it('keeps the hash, drops the salts of what it withholds, and lists what it withheld', () => {
    const shown = withholdFields(sealed, ['data.documents', 'data.toOrgId', 'metadata.actor', 'data.absent']);
    expect(eventHash(shown, null)).toBe(sealed.metadata.hash);
    expect(withheldPaths(shown)).toEqual(['data.toOrgId', 'data.documents[0]', 'metadata.actor']);
    const salts = shown.metadata.salts as {
      data: Record<string, unknown>;
      metadata: Record<string, unknown>;
    };
    expect(salts.data.toOrgId).toBeUndefined();
    expect(salts.data.documents).toEqual([null]);
    expect(salts.metadata.actor).toBeUndefined();
    expect(JSON.stringify(shown.data)).not.toContain(BILLS[0]);
    expect(withholdFields(shown, ['data.toOrgId'])).toEqual(shown);
    expect(sealed.data.toOrgId).toBe(TRADER); // the event given is not changed
  });

  it.each([
    ['data', /not a field path/],
    ['data.batchId[0]', /not an array/],
    ['data.documents[3]', /has 1 elements/],
    ['metadata.salts', /part of the seal/],
    ['metadata.hash', /part of the seal/],
  ])('refuses the path %s', (path, message) => {
    expect(() => withholdFields(sealed, [path])).toThrow(WithholdPathError);
    expect(() => withholdFields(sealed, [path])).toThrow(message);
  });
});
