import type { BatchEvent, LedgerEvent } from '@tracelode/domain';
import type { StoredEvent } from '@tracelode/event-store';
import { type BatchCustodyView, batchCustodyProjection, BATCH_CUSTODY } from './batch-custody.projection';
import { toLedgerEvent } from './document-projection';

const MINED: BatchEvent = {
  type: 'BatchMined',
  data: {
    batchId: 'MW-1',
    orgId: 'mineco',
    facilityId: 'mt-weld',
    material: { form: 'concentrate', elements: ['Nd', 'Pr'], grade: { TREO: 41.2 } },
    massGrams: 25000500,
    occurredAt: '2026-03-01T08:00:00+08:00',
  },
};
const SHIPPED: BatchEvent = {
  type: 'BatchShipped',
  data: {
    batchId: 'MW-1',
    shipmentId: 'S-1',
    fromOrgId: 'mineco',
    fromFacilityId: 'mt-weld',
    toOrgId: 'refco',
    toFacilityId: 'kuantan',
    massGrams: 25000500,
    documents: [{ type: 'bill_of_lading', number: 'MAEU-1' }],
    occurredAt: '2026-03-05T06:00:00+08:00',
  },
};
const RECEIVED: BatchEvent = {
  type: 'BatchReceived',
  data: {
    batchId: 'MW-1',
    shipmentId: 'S-1',
    orgId: 'refco',
    facilityId: 'kuantan',
    receivedMassGrams: 24990250,
    discrepancyGrams: 10250,
    occurredAt: '2026-03-19T14:00:00+08:00',
  },
};
const HELD: BatchEvent = {
  type: 'BatchHeld',
  data: {
    batchId: 'MW-1',
    authorityOrgId: 'customs-au',
    reason: 'Origin under inquiry',
    occurredAt: '2026-03-20T00:00:00Z',
  },
};
const RELEASED: BatchEvent = {
  type: 'BatchReleased',
  data: {
    batchId: 'MW-1',
    authorityOrgId: 'customs-au',
    reason: 'Cleared',
    occurredAt: '2026-03-21T00:00:00Z',
  },
};
const ASSAYED: BatchEvent = {
  type: 'BatchAssayed',
  data: {
    batchId: 'MW-1',
    assayId: 'A-1',
    byOrgId: 'irma-audit',
    lab: 'ALS Perth',
    method: 'ICP-MS',
    grade: { TREO: 40.7, Nd2O3: 8.8 },
    occurredAt: '2026-03-02T10:00:00+08:00',
  },
};

const ACTORS: Record<string, string> = {
  BatchMined: 'mineco',
  BatchShipped: 'mineco',
  BatchReceived: 'refco',
  BatchHeld: 'customs-au',
  BatchReleased: 'customs-au',
  BatchAssayed: 'irma-audit',
};

/** The event as the log would hold it at `position`, with the envelope the API writes. */
function stored(
  event: LedgerEvent,
  position: number,
  actorOrgId: string | null = ACTORS[event.type] ?? null,
) {
  return {
    position: BigInt(position),
    stream: `batch-${(event.data as { batchId?: string }).batchId ?? 'x'}`,
    revision: BigInt(position - 1),
    eventId: `00000000-0000-4000-8000-${String(position).padStart(12, '0')}`,
    type: event.type,
    data: event.data,
    metadata: actorOrgId === null ? {} : { actor: { orgId: actorOrgId, keyId: 'k', roles: ['producer'] } },
    recordedAt: `2026-04-01T00:00:${String(position).padStart(2, '0')}.000Z`,
  } satisfies StoredEvent;
}

/** Folds the events through the projection the way the runner does (position = index + 10). */
function project(events: readonly LedgerEvent[], from?: BatchCustodyView): BatchCustodyView[] {
  const views: BatchCustodyView[] = [];
  let view = from;
  events.forEach((event, i) => {
    const record = stored(event, i + 10);
    expect(batchCustodyProjection.keyOf(toLedgerEvent(record))).toBe('MW-1');
    view = batchCustodyProjection.evolve(view, toLedgerEvent(record), record);
    views.push(view);
  });
  return views;
}

describe('batchCustodyProjection', () => {
  it('stores its documents in the batch_custody collection', () => {
    expect(batchCustodyProjection.collection).toBe(BATCH_CUSTODY);
  });

  it('follows a batch mined → shipped → received → held → released', () => {
    const [mined, shipped, received, held, released] = project([MINED, SHIPPED, RECEIVED, HELD, RELEASED]);

    expect(mined).toEqual({
      batchId: 'MW-1',
      status: 'in_custody',
      custodyStatus: 'in_custody',
      held: false,
      heldVia: null,
      custodian: { orgId: 'mineco', facilityId: 'mt-weld' },
      massKg: 25000.5,
      remainingMassKg: 25000.5,
      material: { form: 'concentrate', elements: ['Nd', 'Pr'], grade: { TREO: 41.2 } },
      openShipment: null,
      timeline: [
        {
          position: '10',
          type: 'BatchMined',
          occurredAt: '2026-03-01T08:00:00+08:00',
          recordedAt: '2026-04-01T00:00:10.000Z',
          actorOrgId: 'mineco',
          details: {
            orgId: 'mineco',
            facilityId: 'mt-weld',
            material: { form: 'concentrate', elements: ['Nd', 'Pr'], grade: { TREO: 41.2 } },
            massGrams: 25000500,
            occurredAt: '2026-03-01T08:00:00+08:00',
          },
        },
      ],
      position: '10',
    });

    expect(shipped).toMatchObject({
      status: 'in_transit',
      custodyStatus: 'in_transit',
      held: false,
      custodian: { orgId: 'mineco', facilityId: 'mt-weld' },
      remainingMassKg: 25000.5,
      openShipment: {
        shipmentId: 'S-1',
        toOrgId: 'refco',
        toFacilityId: 'kuantan',
        massKg: 25000.5,
        occurredAt: '2026-03-05T06:00:00+08:00',
      },
      position: '11',
    });

    expect(received).toMatchObject({
      status: 'in_custody',
      custodyStatus: 'in_custody',
      held: false,
      custodian: { orgId: 'refco', facilityId: 'kuantan' },
      massKg: 25000.5,
      remainingMassKg: 24990.25,
      openShipment: null,
      position: '12',
    });
    expect(received!.timeline[2]).toEqual({
      position: '12',
      type: 'BatchReceived',
      occurredAt: '2026-03-19T14:00:00+08:00',
      recordedAt: '2026-04-01T00:00:12.000Z',
      actorOrgId: 'refco',
      details: {
        shipmentId: 'S-1',
        orgId: 'refco',
        facilityId: 'kuantan',
        receivedMassGrams: 24990250,
        discrepancyGrams: 10250,
        occurredAt: '2026-03-19T14:00:00+08:00',
      },
    });

    expect(held).toMatchObject({
      status: 'held',
      custodyStatus: 'in_custody',
      held: true,
      custodian: { orgId: 'refco', facilityId: 'kuantan' },
      remainingMassKg: 24990.25,
      openShipment: null,
      position: '13',
    });
    expect(held!.timeline.at(-1)).toMatchObject({
      type: 'BatchHeld',
      actorOrgId: 'customs-au',
      details: { authorityOrgId: 'customs-au', reason: 'Origin under inquiry' },
    });

    expect(released).toMatchObject({
      status: 'in_custody',
      custodyStatus: 'in_custody',
      held: false,
      remainingMassKg: 24990.25,
      position: '14',
    });
    expect(released!.timeline.map((entry) => [entry.position, entry.type])).toEqual([
      ['10', 'BatchMined'],
      ['11', 'BatchShipped'],
      ['12', 'BatchReceived'],
      ['13', 'BatchHeld'],
      ['14', 'BatchReleased'],
    ]);
  });

  it('keeps the custody status under a hold: held in transit, still in transit once released', () => {
    const [, , held, released] = project([MINED, SHIPPED, HELD, RELEASED]);

    expect(held).toMatchObject({ status: 'held', custodyStatus: 'in_transit', held: true });
    expect(held!.openShipment).toMatchObject({ shipmentId: 'S-1' });
    expect(released).toMatchObject({ status: 'in_transit', custodyStatus: 'in_transit', held: false });
  });

  it('keeps a hold through a receipt', () => {
    const [, , , received] = project([MINED, SHIPPED, HELD, RECEIVED]);

    expect(received).toMatchObject({ status: 'held', custodyStatus: 'in_custody', held: true });
    expect(received!.custodian).toEqual({ orgId: 'refco', facilityId: 'kuantan' });
  });

  it('replaces the grade on an assay without changing custody', () => {
    const [mined, assayed] = project([MINED, ASSAYED]);

    expect(assayed).toEqual({
      ...mined,
      material: { form: 'concentrate', elements: ['Nd', 'Pr'], grade: { TREO: 40.7, Nd2O3: 8.8 } },
      timeline: [
        ...mined!.timeline,
        expect.objectContaining({ type: 'BatchAssayed', actorOrgId: 'irma-audit' }),
      ],
      position: '11',
    });
  });

  it('reads occurredAt from the event, falling back to recordedAt, and tolerates a missing actor', () => {
    const { occurredAt: _occurredAt, ...data } = MINED.data;
    const record = stored({ type: 'BatchMined', data } as LedgerEvent, 7, null);

    const view = batchCustodyProjection.evolve(undefined, toLedgerEvent(record), record);

    expect(view.timeline[0]).toMatchObject({
      occurredAt: record.recordedAt,
      recordedAt: record.recordedAt,
      actorOrgId: null,
    });
  });

  it('does not change the view it is given', () => {
    const [mined] = project([MINED]);
    const before = structuredClone(mined);

    project([SHIPPED, HELD], mined);

    expect(mined).toEqual(before);
  });

  it('refuses an event for a batch that was never mined', () => {
    const record = stored(SHIPPED, 3);

    expect(() => batchCustodyProjection.evolve(undefined, toLedgerEvent(record), record)).toThrow(
      'BatchShipped for a batch that was never mined',
    );
  });

  it('ignores events that are not about a batch', () => {
    const others: LedgerEvent[] = [
      {
        type: 'OrganisationRegistered',
        data: { orgId: 'mineco', name: 'M', country: 'AU', roles: ['producer'] },
      },
      { type: 'ApiKeyIssued', data: { orgId: 'mineco', keyId: 'k1', keySha256: 'ab' } },
      {
        type: 'CommandRecorded',
        data: {
          orgId: 'mineco',
          idempotencyKey: 'i',
          requestSha256: 'cd',
          commandType: 'MineBatch',
          response: { batchId: 'MW-1' },
        },
      },
    ];

    for (const event of others) expect(batchCustodyProjection.keyOf(event)).toBeUndefined();
  });
});
