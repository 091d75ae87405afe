import { InMemoryStreams, type Issued } from '../decider';
import type { BatchEvent } from '../batch/batch.events';
import type { OrganisationEvent } from '../organisation/organisation.events';
import type { Actor } from '../shared/actor';
import { BACKFILL, refusal } from '../spec-support';
import { type CorrectEvent, correctEvent, type VoidEvent, voidEvent } from './correction.decider';

const as = (orgId: string, role: 'producer' | 'regulator' | 'certifier'): Actor => ({
  orgId,
  keyId: 'k',
  roles: [role],
});
const miner = as('mineco', 'producer');
const refiner = as('refco', 'producer');
const issued = <C>(command: C, actor: Actor): Issued<C> => ({
  ...command,
  metadata: { actor, recordedAt: '2026-03-30T00:00:00Z', policy: BACKFILL },
});
const registered = (orgId: string, country: string, role: 'producer' | 'regulator'): OrganisationEvent => ({
  type: 'OrganisationRegistered',
  data: { orgId, name: orgId, country, roles: [role] },
});

const mined: BatchEvent = {
  type: 'BatchMined',
  data: {
    batchId: 'b1',
    orgId: 'mineco',
    facilityId: 'mine',
    material: { form: 'concentrate' },
    massGrams: 10_000_000,
    extractionEmissionsKgCo2e: 1000,
    occurredAt: '2026-03-01T00:00:00Z',
  },
};
const split: BatchEvent = {
  type: 'BatchSplit',
  data: {
    batchId: 'b1',
    splitId: 'sp',
    orgId: 'mineco',
    facilityId: 'mine',
    outputs: [{ batchId: 'c1', massGrams: 6_000_000 }],
    remainingGrams: 4_000_000,
    occurredAt: '2026-03-05T00:00:00Z',
  },
};
const shipped: BatchEvent = {
  type: 'BatchShipped',
  data: {
    batchId: 'b1',
    shipmentId: 's1',
    fromOrgId: 'mineco',
    fromFacilityId: 'mine',
    toOrgId: 'refco',
    toFacilityId: 'plant',
    massGrams: 10_000_000,
    documents: [],
    occurredAt: '2026-03-06T00:00:00Z',
  },
};
const received: BatchEvent = {
  type: 'BatchReceived',
  data: {
    batchId: 'b1',
    shipmentId: 's1',
    orgId: 'refco',
    facilityId: 'plant',
    receivedMassGrams: 9_900_000,
    discrepancyGrams: 100_000,
    occurredAt: '2026-03-10T00:00:00Z',
  },
};
const assayed: BatchEvent = {
  type: 'BatchAssayed',
  data: {
    batchId: 'b1',
    assayId: 'a1',
    byOrgId: 'mineco',
    lab: 'lab',
    method: 'ICP-MS',
    grade: { TREO: 40 },
    occurredAt: '2026-03-02T00:00:00Z',
  },
};
const held: BatchEvent = {
  type: 'BatchHeld',
  data: {
    batchId: 'b1',
    authorityOrgId: 'customs',
    authorityCountry: 'AU',
    reason: 'r',
    occurredAt: '2026-03-02T00:00:00Z',
  },
};

const ledger = (...given: BatchEvent[]) =>
  new InMemoryStreams()
    .given('organisations', 'mineco', registered('mineco', 'AU', 'producer'))
    .given('organisations', 'refco', registered('refco', 'MY', 'producer'))
    .given('organisations', 'customs', registered('customs', 'AU', 'regulator'))
    .given('organisations', 'customs-2', registered('customs-2', 'AU', 'regulator'))
    .given('organisations', 'customs-my', registered('customs-my', 'MY', 'regulator'))
    .given('batches', 'b1', ...given);

const correct = (revision: number, changes: Record<string, unknown>, correctionId = 'c1'): CorrectEvent => ({
  type: 'CorrectEvent',
  data: { correctionId, eventId: `batch-b1@${revision}`, batchId: 'b1', reason: 'typo', changes },
});
const voiding = (revision: number, voidId = 'v1'): VoidEvent => ({
  type: 'VoidEvent',
  data: { voidId, eventId: `batch-b1@${revision}`, batchId: 'b1', reason: 'in error' },
});

describe('correctEvent', () => {
  it('corrects a mined mass and emissions by a new event: the original values travel with it', () => {
    const streams = ledger(mined, split);
    const [write] = streams.decide(
      correctEvent,
      issued(correct(0, { massKg: 12000, extractionEmissionsKgCo2e: 1500 }), miner),
    );
    expect(write).toEqual({
      stream: 'batch-b1',
      events: [
        {
          type: 'EventCorrected',
          data: {
            batchId: 'b1',
            correctionId: 'c1',
            eventId: 'batch-b1@0',
            eventType: 'BatchMined',
            byOrgId: 'mineco',
            reason: 'typo',
            changes: { massKg: 12000, extractionEmissionsKgCo2e: 1500 },
            corrected: { massGrams: 12_000_000, extractionEmissionsKgCo2e: 1500 },
            previous: { massGrams: 10_000_000, extractionEmissionsKgCo2e: 1000 },
            // The split that followed left 2 t more in the lot.
            downstream: [
              {
                eventId: 'batch-b1@1',
                eventType: 'BatchSplit',
                corrected: { remainingGrams: 6_000_000 },
                previous: { remainingGrams: 4_000_000 },
              },
            ],
          },
        },
      ],
    });
    expect(streams.stateOf('batches', 'b1')).toMatchObject({
      massGrams: 12_000_000,
      remainingGrams: 6_000_000,
    });
  });

  it('lets a mass come down to exactly what was drawn, consuming the lot', () => {
    const streams = ledger(mined, split);
    streams.decide(correctEvent, issued(correct(0, { massKg: 6000 }), miner));
    expect(streams.stateOf('batches', 'b1')).toMatchObject({ remainingGrams: 0, status: 'consumed' });
  });

  it('corrects a receipt within what was shipped', () => {
    const streams = ledger(mined, shipped, received);
    streams.decide(correctEvent, issued(correct(2, { receivedMassKg: 10000 }), refiner));
    expect(streams.stateOf('batches', 'b1')).toMatchObject({ remainingGrams: 10_000_000 });
  });

  it('lets a regulator of the holding authority’s country correct a hold', () =>
    expect(
      ledger(mined, held).decide(
        correctEvent,
        issued(correct(1, { reason: 'radiation' }), as('customs-2', 'regulator')),
      ),
    ).toHaveLength(1));

  const cases: [string, BatchEvent[], CorrectEvent, Actor, string][] = [
    [
      'a mass below what was split off',
      [mined, split],
      correct(0, { massKg: 5999.999 }),
      miner,
      'CORRECTION_BREAKS_DEPENDENTS',
    ],
    [
      'a mass below what the shipment’s receipt weighed',
      [mined, shipped, received],
      correct(0, { massKg: 9899.999 }),
      miner,
      'CORRECTION_BREAKS_DEPENDENTS',
    ],
    [
      'a receipt above what was shipped',
      [mined, shipped, received],
      correct(2, { receivedMassKg: 10000.001 }),
      refiner,
      'RECEIVED_MASS_EXCEEDS_SHIPPED',
    ],
    [
      'a time after a later event of the lot',
      [mined, split],
      correct(0, { occurredAt: '2026-03-06T00:00:00Z' }),
      miner,
      'CORRECTION_BREAKS_DEPENDENTS',
    ],
    [
      'a receipt before its shipment left',
      [mined, shipped, received],
      correct(2, { occurredAt: '2026-03-05T00:00:00Z' }),
      refiner,
      'OCCURRED_BEFORE_PREVIOUS_EVENT',
    ],
    ['another organisation’s event', [mined], correct(0, { massKg: 1 }), refiner, 'NOT_RECORDER'],
    [
      'a hold by a regulator of another country',
      [mined, held],
      correct(1, { reason: 'x' }),
      as('customs-my', 'regulator'),
      'NOT_RECORDER',
    ],
    ['an identity', [mined], correct(0, { facilityId: 'other' }), miner, 'FIELD_NOT_CORRECTABLE'],
    [
      'a shipment’s mass (it follows the lot’s)',
      [mined, shipped],
      correct(1, { massKg: 9000 }),
      miner,
      'FIELD_NOT_CORRECTABLE',
    ],
    ['an inexact mass', [mined], correct(0, { massKg: 1.0001 }), miner, 'MASS_NOT_EXACT'],
    [
      'a time without an offset',
      [mined],
      correct(0, { occurredAt: '2026-03-01T00:00:00' }),
      miner,
      'CORRECTION_VALUE_INVALID',
    ],
    ['no change', [mined], correct(0, {}), miner, 'CORRECTION_VALUE_INVALID'],
    ['an event the lot does not have', [mined], correct(7, { massKg: 1 }), miner, 'BATCH_EVENT_NOT_FOUND'],
  ];
  it.each(cases)('refuses %s, writing nothing', (_what, given, command, actor, code) => {
    const streams = ledger(...given);
    expect(refusal(() => streams.decide(correctEvent, issued(command, actor))).code).toBe(code);
    expect(streams.stateOf('batches', 'b1')).toMatchObject({ massGrams: 10_000_000 });
  });

  it('refuses a correction id used before, and a correction of a correction', () => {
    const streams = ledger(mined);
    streams.decide(correctEvent, issued(correct(0, { massKg: 11000 }), miner));
    expect(
      refusal(() => streams.decide(correctEvent, issued(correct(0, { massKg: 12000 }), miner))).code,
    ).toBe('CORRECTION_ALREADY_RECORDED');
    expect(
      refusal(() => streams.decide(correctEvent, issued(correct(1, { reason: 'x' }, 'c2'), miner))).code,
    ).toBe('EVENT_NOT_CORRECTABLE');
  });
});

describe('voidEvent', () => {
  it('voids an assay at any time: nothing builds on a measurement', () =>
    expect(ledger(mined, assayed, split).decide(voidEvent, issued(voiding(1), miner))[0]!.events[0]).toEqual({
      type: 'EventVoided',
      data: {
        batchId: 'b1',
        voidId: 'v1',
        eventId: 'batch-b1@1',
        eventType: 'BatchAssayed',
        byOrgId: 'mineco',
        reason: 'in error',
      },
    }));

  it('voids a hold in force: the lot is no longer held', () => {
    const streams = ledger(mined, held);
    streams.decide(voidEvent, issued(voiding(1), as('customs', 'regulator')));
    expect(streams.stateOf('batches', 'b1')).toMatchObject({ held: false });
  });

  it('voids a receipt nothing followed: the shipment is open again, in the sender’s custody', () => {
    const streams = ledger(mined, shipped, received);
    streams.decide(voidEvent, issued(voiding(2), refiner));
    expect(streams.stateOf('batches', 'b1')).toMatchObject({
      status: 'in_transit',
      custodian: { orgId: 'mineco', facilityId: 'mine' },
      remainingGrams: 10_000_000,
      openShipment: { shipmentId: 's1' },
    });
  });

  const released: BatchEvent = {
    type: 'BatchReleased',
    data: { batchId: 'b1', authorityOrgId: 'customs', reason: 'ok', occurredAt: '2026-03-03T00:00:00Z' },
  };
  it.each([
    [
      'a receipt with later events',
      [
        mined,
        shipped,
        received,
        { ...assayed, data: { ...assayed.data, byOrgId: 'refco', occurredAt: '2026-03-11T00:00:00Z' } },
      ],
      voiding(2),
      refiner,
      'EVENT_HAS_DEPENDENTS',
    ],
    [
      'a released hold',
      [mined, held, released],
      voiding(1),
      as('customs', 'regulator'),
      'EVENT_HAS_DEPENDENTS',
    ],
    ['a mining', [mined], voiding(0), miner, 'EVENT_NOT_VOIDABLE'],
    ['another organisation’s assay', [mined, assayed], voiding(1), refiner, 'NOT_RECORDER'],
  ] as [string, BatchEvent[], VoidEvent, Actor, string][])(
    'refuses %s',
    (_what, given, command, actor, code) =>
      expect(refusal(() => ledger(...given).decide(voidEvent, issued(command, actor))).code).toBe(code),
  );

  it('refuses to void or correct a voided event', () => {
    const streams = ledger(mined, assayed);
    streams.decide(voidEvent, issued(voiding(1), miner));
    expect(refusal(() => streams.decide(voidEvent, issued(voiding(1, 'v2'), miner))).code).toBe(
      'EVENT_VOIDED',
    );
    expect(refusal(() => streams.decide(correctEvent, issued(correct(1, { lab: 'x' }), miner))).code).toBe(
      'EVENT_VOIDED',
    );
  });
});
