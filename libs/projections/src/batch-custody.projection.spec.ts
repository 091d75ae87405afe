import type { BatchEvent, LedgerEvent } from '@tracelode/domain';
import { type GivenEvent, type ProjectionSpec, projectionSpec } from '@tracelode/testing';
import { type BatchCustodyView, batchCustodyProjection, BATCH_CUSTODY } from './batch-custody.projection';

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

/** The event with the envelope the API writes: its actor, on the batch's stream. */
const logged = (event: LedgerEvent, actorOrgId: string | null = ACTORS[event.type] ?? null): GivenEvent => ({
  ...event,
  stream: `batch-${(event.data as { batchId?: string }).batchId ?? 'x'}`,
  metadata: actorOrgId === null ? {} : { actor: { orgId: actorOrgId, keyId: 'k', roles: ['producer'] } },
});

/** The runner's fold from position 10. */
const custody = projectionSpec(batchCustodyProjection, { firstPosition: 10 });

/** The view of MW-1 after each event, every one of which must be about MW-1. */
function follow(spec: ProjectionSpec<BatchCustodyView>, ...events: LedgerEvent[]): BatchCustodyView[] {
  const scenario = spec.given(...events.map((event) => logged(event)));
  expect(scenario.keys()).toEqual(events.map(() => 'MW-1'));
  return scenario.thenEach('MW-1') as BatchCustodyView[];
}

describe('batchCustodyProjection', () => {
  it('stores its documents in the batch_custody collection', () => {
    expect(batchCustodyProjection.collection).toBe(BATCH_CUSTODY);
  });

  it('marks an entry late when recorded more than 72 hours after it occurred, by the ledger’s clock (ADR 0017)', () => {
    const at = (recordedAt: string, storeRecordedAt = recordedAt) => ({
      ...MINED,
      metadata: { actor: { orgId: 'mineco' }, recordedAt },
      recordedAt: storeRecordedAt,
    });
    const entry = (given: ReturnType<typeof at>) =>
      projectionSpec(batchCustodyProjection).given(given).then('MW-1')?.timeline[0];
    // MINED occurred 2026-03-01T00:00:00Z (08:00 +08:00).
    expect(entry(at('2026-03-04T00:00:00.000Z'))).toMatchObject({ late: false });
    expect(entry(at('2026-03-04T00:00:00.001Z'))).toMatchObject({ late: true });
    // The command's recordedAt (when the ledger learnt of it) wins over the store's commit time.
    expect(entry(at('2026-03-02T00:00:00.000Z', '2026-03-09T00:00:00.000Z'))).toMatchObject({
      recordedAt: '2026-03-02T00:00:00.000Z',
      late: false,
    });
  });

  it('follows a batch mined → shipped → received → held → released', () => {
    const [mined, shipped, received, held, released] = follow(
      custody,
      MINED,
      SHIPPED,
      RECEIVED,
      HELD,
      RELEASED,
    );

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
          eventId: '00000000-0000-4000-8000-000000000010',
          position: '10',
          type: 'BatchMined',
          occurredAt: '2026-03-01T08:00:00+08:00',
          recordedAt: '2026-04-01T00:00:10.000Z',
          late: true, // recorded a month after it occurred
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
      eventId: '00000000-0000-4000-8000-000000000012',
      position: '12',
      type: 'BatchReceived',
      occurredAt: '2026-03-19T14:00:00+08:00',
      recordedAt: '2026-04-01T00:00:12.000Z',
      late: true,
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
    const [, , held, released] = follow(custody, MINED, SHIPPED, HELD, RELEASED);

    expect(held).toMatchObject({ status: 'held', custodyStatus: 'in_transit', held: true });
    expect(held!.openShipment).toMatchObject({ shipmentId: 'S-1' });
    expect(released).toMatchObject({ status: 'in_transit', custodyStatus: 'in_transit', held: false });
  });

  it('keeps a hold through a receipt', () => {
    const [, , , received] = follow(custody, MINED, SHIPPED, HELD, RECEIVED);

    expect(received).toMatchObject({ status: 'held', custodyStatus: 'in_custody', held: true });
    expect(received!.custodian).toEqual({ orgId: 'refco', facilityId: 'kuantan' });
  });

  it('replaces the grade on an assay without changing custody', () => {
    const [mined, assayed] = follow(custody, MINED, ASSAYED);

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
    const scenario = projectionSpec(batchCustodyProjection, { firstPosition: 7 }).given(
      logged({ type: 'BatchMined', data } as LedgerEvent, null),
    );
    const record = scenario.stored[0]!;

    expect(scenario.then('MW-1')!.timeline[0]).toMatchObject({
      occurredAt: record.recordedAt,
      recordedAt: record.recordedAt,
      actorOrgId: null,
    });
  });

  it('does not change the view it is given', () => {
    const [mined] = follow(custody, MINED);
    const before = structuredClone(mined);

    follow(custody.from('MW-1', mined!), SHIPPED, HELD);

    expect(mined).toEqual(before);
  });

  it('refuses an event for a batch that was never mined', () => {
    expect(() => projectionSpec(batchCustodyProjection, { firstPosition: 3 }).given(logged(SHIPPED))).toThrow(
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
