import type { LedgerEvent } from '@tracelode/domain';
import { SqliteEventStore, type StreamWrite } from '@tracelode/event-store';
import { ReadModelStore } from '@tracelode/read-models';
import { commandWrite } from '@tracelode/testing';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BATCH_CUSTODY, type BatchCustodyView } from './batch-custody.projection';
import { LEDGER_PROJECTIONS } from './index';
import { API_KEYS, type OrganisationView, ORGANISATIONS } from './organisations.projection';
import { Projector, rebuildViews } from './projector';

const COLLECTIONS = LEDGER_PROJECTIONS.map((projection) => projection.collection);

const write = commandWrite;

const organisation = (orgId: string, country: string, roles: string[], facilities: [string, string][]) =>
  write(
    `org-${orgId}`,
    orgId,
    { type: 'OrganisationRegistered', data: { orgId, name: `${orgId} Ltd`, country, roles } } as LedgerEvent,
    { type: 'ApiKeyIssued', data: { orgId, keyId: `${orgId}-key`, keySha256: `sha-${orgId}` } },
    ...facilities.map(
      ([facilityId, kind]) =>
        ({
          type: 'FacilityRegistered',
          data: { orgId, facilityId, kind, name: facilityId, country },
        }) as LedgerEvent,
    ),
  );

const mined = (batchId: string, massGrams = 25000500): StreamWrite =>
  write(`batch-${batchId}`, 'mineco', {
    type: 'BatchMined',
    data: {
      batchId,
      orgId: 'mineco',
      facilityId: 'mt-weld',
      material: { form: 'concentrate', elements: ['Nd', 'Pr'], grade: { TREO: 41.2 } },
      massGrams,
      occurredAt: '2026-03-01T08:00:00+08:00',
    },
  });

const shipped = (batchId: string, shipmentId: string, massGrams = 25000500): StreamWrite =>
  write(`batch-${batchId}`, 'mineco', {
    type: 'BatchShipped',
    data: {
      batchId,
      shipmentId,
      fromOrgId: 'mineco',
      fromFacilityId: 'mt-weld',
      toOrgId: 'refco',
      toFacilityId: 'kuantan',
      massGrams,
      documents: [{ type: 'bill_of_lading', number: 'MAEU-1' }],
      occurredAt: '2026-03-05T06:00:00+08:00',
    },
  });

const received = (batchId: string, shipmentId: string, receivedMassGrams: number, shippedGrams = 25000500) =>
  write(`batch-${batchId}`, 'refco', {
    type: 'BatchReceived',
    data: {
      batchId,
      shipmentId,
      orgId: 'refco',
      facilityId: 'kuantan',
      receivedMassGrams,
      discrepancyGrams: shippedGrams - receivedMassGrams,
      occurredAt: '2026-03-19T14:00:00+08:00',
    },
  });

const hold = (batchId: string, type: 'BatchHeld' | 'BatchReleased', reason: string) =>
  write(`batch-${batchId}`, 'customs-au', {
    type,
    data: { batchId, authorityOrgId: 'customs-au', reason, occurredAt: '2026-03-20T00:00:00Z' },
  });

const assayed = (batchId: string) =>
  write(`batch-${batchId}`, 'irma-audit', {
    type: 'BatchAssayed',
    data: {
      batchId,
      assayId: 'A-1',
      byOrgId: 'irma-audit',
      lab: 'ALS Perth',
      method: 'ICP-MS',
      grade: { TREO: 40.7, Nd2O3: 8.8 },
      radioactivityBqPerG: 2.9,
      occurredAt: '2026-03-02T10:00:00+08:00',
    },
  });

/** An idempotent command: its batch event and the command record in one atomic append, as the API writes them. */
const recordedMining = (batchId: string): StreamWrite[] => [
  mined(batchId),
  write(`command-${batchId}`, 'mineco', {
    type: 'CommandRecorded',
    data: {
      orgId: 'mineco',
      idempotencyKey: `key-${batchId}`,
      requestSha256: 'ab'.repeat(32),
      commandType: 'MineBatch',
      response: { batchId },
    },
  }),
];

/** Parties, then batches through the whole chain of custody (one append per command). */
const LEDGER: StreamWrite[][] = [
  [
    organisation(
      'mineco',
      'AU',
      ['producer'],
      [
        ['mt-weld', 'mine'],
        ['fremantle', 'port'],
      ],
    ),
  ],
  [organisation('refco', 'MY', ['producer'], [['kuantan', 'processing_plant']])],
  [organisation('customs-au', 'AU', ['regulator'], [])],
  [organisation('irma-audit', 'DE', ['certifier'], [['als-perth', 'laboratory']])],
  [mined('MW-1')],
  [mined('MW-2', 12000000)],
  [assayed('MW-1')],
  [shipped('MW-1', 'S-1')],
  [hold('MW-2', 'BatchHeld', 'Origin under inquiry')],
  [received('MW-1', 'S-1', 24990250)],
  [hold('MW-1', 'BatchHeld', 'Radioactivity above declared level')],
  recordedMining('MW-3'),
  [hold('MW-1', 'BatchReleased', 'Cleared')],
  [hold('MW-2', 'BatchReleased', 'Cleared')],
  [shipped('MW-2', 'S-2', 12000000)],
];

describe('Projector on SQLite files', () => {
  let dir: string;
  let store: SqliteEventStore;
  const open: { views: ReadModelStore[]; projectors: Projector[] } = { views: [], projectors: [] };

  const openViews = (name = 'views.db') => {
    const views = ReadModelStore.open(join(dir, name));
    open.views.push(views);
    return views;
  };
  const startProjector = (views: ReadModelStore) => {
    const projector = new Projector(store, views, LEDGER_PROJECTIONS);
    open.projectors.push(projector);
    projector.start();
    return projector;
  };
  const appendAll = async (appends: StreamWrite[][]) => {
    let position = 0n;
    for (const writes of appends) ({ position } = await store.append(writes));
    return position;
  };
  const documents = (views: ReadModelStore) =>
    Object.fromEntries(COLLECTIONS.map((collection) => [collection, views.all(collection)]));

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'tracelode-projector-'));
    store = SqliteEventStore.open(join(dir, 'ledger.db'));
  });
  afterEach(async () => {
    for (const projector of open.projectors.splice(0)) await projector.stop();
    for (const views of open.views.splice(0)) views.close();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('projects live events into the custody and organisation views and checkpoints the last position', async () => {
    const views = openViews();
    const projector = startProjector(views);
    const head = await appendAll(LEDGER);

    expect(await projector.waitFor(head, 5000)).toBe(true);

    expect(projector.position).toBe(head);
    expect(views.checkpoint()).toBe(head);
    expect(head).toBe(await store.headPosition());
    const one = views.get<BatchCustodyView>(BATCH_CUSTODY, 'MW-1')!;
    expect(one).toMatchObject({
      batchId: 'MW-1',
      status: 'in_custody',
      custodyStatus: 'in_custody',
      held: false,
      custodian: { orgId: 'refco', facilityId: 'kuantan' },
      massKg: 25000.5,
      remainingMassKg: 24990.25,
      material: { form: 'concentrate', elements: ['Nd', 'Pr'], grade: { TREO: 40.7, Nd2O3: 8.8 } },
      openShipment: null,
    });
    expect(one.timeline.map((entry) => entry.type)).toEqual([
      'BatchMined',
      'BatchAssayed',
      'BatchShipped',
      'BatchReceived',
      'BatchHeld',
      'BatchReleased',
    ]);
    expect(one.timeline.map((entry) => entry.actorOrgId)).toEqual([
      'mineco',
      'irma-audit',
      'mineco',
      'refco',
      'customs-au',
      'customs-au',
    ]);
    expect(one.position).toBe(one.timeline.at(-1)!.position);
    const positions = one.timeline.map((entry) => Number(entry.position));
    expect(positions).toEqual([...positions].sort((a, b) => a - b));

    expect(views.get<BatchCustodyView>(BATCH_CUSTODY, 'MW-2')).toMatchObject({
      status: 'in_transit',
      custodyStatus: 'in_transit',
      held: false,
      remainingMassKg: 12000,
      openShipment: { shipmentId: 'S-2', toOrgId: 'refco', toFacilityId: 'kuantan', massKg: 12000 },
      position: head.toString(),
    });
    expect(views.get<BatchCustodyView>(BATCH_CUSTODY, 'MW-3')).toMatchObject({
      status: 'in_custody',
      custodian: { orgId: 'mineco', facilityId: 'mt-weld' },
    });
    expect(views.get<OrganisationView>(ORGANISATIONS, 'mineco')).toMatchObject({
      orgId: 'mineco',
      country: 'AU',
      roles: ['producer'],
      facilities: [
        { facilityId: 'mt-weld', kind: 'mine' },
        { facilityId: 'fremantle', kind: 'port' },
      ],
    });
    expect(views.get(API_KEYS, 'sha-refco')).toEqual({ orgId: 'refco', keyId: 'refco-key' });
    expect(views.all(BATCH_CUSTODY).map((document) => document.key)).toEqual(['MW-1', 'MW-2', 'MW-3']);
  });

  it('catches up from position 1 on events appended before it started', async () => {
    const head = await appendAll(LEDGER);
    const views = openViews();
    const projector = startProjector(views);

    expect(await projector.waitFor(head, 5000)).toBe(true);
    expect(views.get<BatchCustodyView>(BATCH_CUSTODY, 'MW-1')!.timeline).toHaveLength(6);
  });

  it('resumes from the checkpoint after a stop, without applying any event twice', async () => {
    const views = openViews();
    const first = startProjector(views);
    const head = await appendAll(LEDGER);
    expect(await first.waitFor(head, 5000)).toBe(true);
    await first.stop();
    views.close();
    open.views.splice(open.views.indexOf(views), 1);
    const before = structuredClone(documents(openViews()));

    // A restart on the same file with nothing new: the views stay exactly as they were.
    const reopened = openViews();
    const second = startProjector(reopened);
    expect(second.position).toBe(head);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(documents(reopened)).toEqual(before);
    await second.stop();

    // Events appended while stopped are applied once each when the next projector starts.
    const later = await appendAll([[received('MW-2', 'S-2', 11999000, 12000000)], [mined('MW-4')]]);
    expect(reopened.checkpoint()).toBe(head);
    const third = startProjector(reopened);
    expect(await third.waitFor(later, 5000)).toBe(true);

    expect(reopened.checkpoint()).toBe(later);
    const two = reopened.get<BatchCustodyView>(BATCH_CUSTODY, 'MW-2')!;
    expect(two.timeline.map((entry) => entry.type)).toEqual([
      'BatchMined',
      'BatchHeld',
      'BatchReleased',
      'BatchShipped',
      'BatchReceived',
    ]);
    expect(two).toMatchObject({ status: 'in_custody', remainingMassKg: 11999, openShipment: null });
    expect(reopened.get<BatchCustodyView>(BATCH_CUSTODY, 'MW-1')).toEqual(before[BATCH_CUSTODY]![0]!.view);
    expect(reopened.all(BATCH_CUSTODY).map((document) => document.key)).toEqual([
      'MW-1',
      'MW-2',
      'MW-3',
      'MW-4',
    ]);
  });

  it('rebuilds from position 0 into documents identical to the incremental ones', async () => {
    const live = openViews();
    const projector = startProjector(live);
    const head = await appendAll(LEDGER);
    expect(await projector.waitFor(head, 5000)).toBe(true);

    const fresh = openViews('rebuilt.db');
    expect(await rebuildViews(store, fresh, LEDGER_PROJECTIONS, { chunkSize: 4 })).toBe(Number(head));

    expect(fresh.checkpoint()).toBe(head);
    expect(documents(fresh)).toEqual(documents(live));
    expect(documents(fresh)[BATCH_CUSTODY]).toHaveLength(3);
  });

  it('rebuilds into the same stored JSON whatever the chunk size and however few documents stay in memory', async () => {
    const live = openViews();
    const projector = startProjector(live);
    const head = await appendAll(LEDGER);
    expect(await projector.waitFor(head, 5000)).toBe(true);
    const stored = (views: ReadModelStore) => views.snapshot((_, all) => [...all]);

    for (const [chunkSize, cachedDocuments] of [
      [1, 0],
      [3, 1],
      [5, 2],
      [1000, undefined],
    ] as const) {
      const fresh = openViews(`rebuilt-${chunkSize}.db`);
      expect(await rebuildViews(store, fresh, LEDGER_PROJECTIONS, { chunkSize, cachedDocuments })).toBe(
        Number(head),
      );
      expect(fresh.checkpoint()).toBe(head);
      expect(stored(fresh)).toEqual(stored(live));
    }
  });

  it('rebuilds up to a position into the documents the projector held there, reporting progress', async () => {
    const reference = openViews('reference.db');
    const projector = startProjector(reference);
    const middle = await appendAll(LEDGER.slice(0, 8));
    expect(await projector.waitFor(middle, 5000)).toBe(true);
    await projector.stop();
    const head = await appendAll(LEDGER.slice(8));
    const progress: [number, number][] = [];

    const fresh = openViews('rebuilt.db');
    const applied = await rebuildViews(store, fresh, LEDGER_PROJECTIONS, {
      to: middle,
      chunkSize: 3,
      onProgress: (done, total) => progress.push([done, total]),
    });

    expect(applied).toBe(Number(middle));
    expect(fresh.checkpoint()).toBe(middle);
    expect(documents(fresh)).toEqual(documents(reference));
    expect(progress.at(-1)).toEqual([Number(middle), Number(middle)]);
    expect(progress.map(([done]) => done)).toEqual(
      Array.from({ length: Math.ceil(Number(middle) / 3) }, (_, i) => Math.min(3 * (i + 1), Number(middle))),
    );
    expect(await rebuildViews(store, fresh, LEDGER_PROJECTIONS, { to: head + 10n })).toBe(Number(head));
    expect(documents(fresh)).not.toEqual(documents(reference));
    expect(await rebuildViews(store, fresh, LEDGER_PROJECTIONS, { to: 0n })).toBe(0);
    expect(fresh.checkpoint()).toBe(0n);
  });

  it('rebuilds over existing views, dropping what they held', async () => {
    const head = await appendAll(LEDGER);
    const views = openViews();
    views.applyAndCheckpoint(999n, (tx) => {
      tx.put(BATCH_CUSTODY, 'GHOST', { batchId: 'GHOST' }, 999n);
      tx.put(BATCH_CUSTODY, 'MW-1', { batchId: 'MW-1', stale: true }, 999n);
    });
    const reference = openViews('reference.db');
    const projector = startProjector(reference);
    expect(await projector.waitFor(head, 5000)).toBe(true);

    expect(await rebuildViews(store, views, LEDGER_PROJECTIONS)).toBe(Number(head));

    expect(views.checkpoint()).toBe(head);
    expect(views.get(BATCH_CUSTODY, 'GHOST')).toBeUndefined();
    expect(documents(views)).toEqual(documents(reference));
  });
});
