import { InMemoryStreams, type Issued } from '../decider';
import { shipBatch, type ShipBatch } from '../batch/batch.decider';
import type { BatchEvent, BatchMined } from '../batch/batch.events';
import type { OrganisationEvent } from '../organisation/organisation.events';
import type { Actor } from '../shared/actor';
import { BACKFILL, refusal } from '../spec-support';
import { splitBatch, type SplitBatch } from './split.decider';

const miner: Actor = { orgId: 'mineco', keyId: 'k', roles: ['producer'] };
const other: Actor = { orgId: 'refco', keyId: 'k', roles: ['producer'] };
const issued = <C>(command: C, actor: Actor): Issued<C> => ({
  ...command,
  metadata: { actor, recordedAt: '2026-03-01T00:00:00Z', policy: BACKFILL },
});
const orgs: [string, OrganisationEvent[]][] = [
  [
    'mineco',
    [
      {
        type: 'OrganisationRegistered',
        data: { orgId: 'mineco', name: 'M', country: 'AU', roles: ['producer'] },
      },
      {
        type: 'FacilityRegistered',
        data: { orgId: 'mineco', facilityId: 'mine', kind: 'mine', name: 'm', country: 'AU' },
      },
    ],
  ],
  [
    'refco',
    [
      {
        type: 'OrganisationRegistered',
        data: { orgId: 'refco', name: 'R', country: 'MY', roles: ['producer'] },
      },
      {
        type: 'FacilityRegistered',
        data: { orgId: 'refco', facilityId: 'plant', kind: 'processing_plant', name: 'p', country: 'MY' },
      },
    ],
  ],
];
const mined: BatchMined = {
  type: 'BatchMined',
  data: {
    batchId: 'lot',
    orgId: 'mineco',
    facilityId: 'mine',
    material: { form: 'concentrate', elements: ['Nd'] },
    massGrams: 25_000_000,
    occurredAt: '2026-01-10T08:00:00Z',
  },
};
const ledger = (...given: BatchEvent[]) => {
  const streams = new InMemoryStreams();
  for (const [id, events] of orgs) streams.given('organisations', id, ...events);
  return streams.given('batches', 'lot', ...given);
};
const split = (outputs: [string, number][], splitId = 'sp1'): SplitBatch => ({
  type: 'SplitBatch',
  data: {
    batchId: 'lot',
    splitId,
    outputs: outputs.map(([batchId, massGrams]) => ({ batchId, massGrams })),
    occurredAt: '2026-01-11T08:00:00Z',
  },
});
const ship = (extra: Partial<ShipBatch['data']>): ShipBatch => ({
  type: 'ShipBatch',
  data: {
    batchId: 'lot',
    shipmentId: 'shp1',
    toOrgId: 'refco',
    toFacilityId: 'plant',
    documents: [],
    occurredAt: '2026-01-12T08:00:00Z',
    ...extra,
  },
});

describe('splitBatch', () => {
  it('splits child lots off at the facility, the rest staying in the parent, in one append', () => {
    const streams = ledger(mined);
    const emitted = streams.decide(
      splitBatch,
      issued(
        split([
          ['a', 10_000_000],
          ['b', 8_000_000],
        ]),
        miner,
      ),
    );
    expect(emitted.map((write) => write.stream)).toEqual(['batch-lot', 'batch-a', 'batch-b']);
    expect(emitted[0]!.events[0]).toEqual({
      type: 'BatchSplit',
      data: {
        batchId: 'lot',
        splitId: 'sp1',
        orgId: 'mineco',
        facilityId: 'mine',
        outputs: [
          { batchId: 'a', massGrams: 10_000_000 },
          { batchId: 'b', massGrams: 8_000_000 },
        ],
        remainingGrams: 7_000_000,
        occurredAt: '2026-01-11T08:00:00Z',
      },
    });
    expect(emitted[1]!.events[0]).toEqual({
      type: 'BatchSplitOff',
      data: {
        batchId: 'a',
        splitId: 'sp1',
        fromBatchId: 'lot',
        orgId: 'mineco',
        facilityId: 'mine',
        material: mined.data.material,
        massGrams: 10_000_000,
        occurredAt: '2026-01-11T08:00:00Z',
      },
    });
    expect(streams.stateOf('batches', 'lot')).toMatchObject({
      remainingGrams: 7_000_000,
      status: 'in_custody',
    });
    expect(streams.stateOf('batches', 'b')).toMatchObject({
      remainingGrams: 8_000_000,
      custodian: { orgId: 'mineco', facilityId: 'mine' },
    });
  });

  it('splitting off all that is left consumes the parent', () => {
    const streams = ledger(mined);
    streams.decide(splitBatch, issued(split([['a', 25_000_000]]), miner));
    expect(streams.stateOf('batches', 'lot')).toMatchObject({ remainingGrams: 0, status: 'consumed' });
  });

  it.each([
    [
      'more than the remaining mass',
      ledger(mined),
      split([
        ['a', 20_000_000],
        ['b', 5_000_001],
      ]),
      miner,
      'SPLIT_EXCEEDS_REMAINING',
    ],
    ['no outputs', ledger(mined), split([]), miner, 'SPLIT_NEEDS_OUTPUTS'],
    [
      'a repeated output',
      ledger(mined),
      split([
        ['a', 1],
        ['a', 1],
      ]),
      miner,
      'BATCH_NAMED_TWICE',
    ],
    ['the parent as its own output', ledger(mined), split([['lot', 1]]), miner, 'BATCH_NAMED_TWICE'],
    [
      'an output that exists',
      ledger(mined).given('batches', 'a', { ...mined, data: { ...mined.data, batchId: 'a' } }),
      split([['a', 1]]),
      miner,
      'BATCH_ALREADY_EXISTS',
    ],
    ['a zero mass', ledger(mined), split([['a', 0]]), miner, 'MASS_NOT_POSITIVE'],
    ['another organisation', ledger(mined), split([['a', 1]]), other, 'BATCH_NOT_IN_CUSTODY'],
    [
      'a held lot',
      ledger(mined, {
        type: 'BatchHeld',
        data: { batchId: 'lot', authorityOrgId: 'c', reason: 'r', occurredAt: '2026-01-10T09:00:00Z' },
      }),
      split([['a', 1]]),
      miner,
      'BATCH_HELD',
    ],
    [
      'a lot in transit',
      ledger(mined, {
        type: 'BatchShipped',
        data: {
          batchId: 'lot',
          shipmentId: 's',
          fromOrgId: 'mineco',
          fromFacilityId: 'mine',
          toOrgId: 'refco',
          toFacilityId: 'plant',
          massGrams: 25_000_000,
          documents: [],
          occurredAt: '2026-01-10T09:00:00Z',
        },
      }),
      split([['a', 1]]),
      miner,
      'BATCH_IN_TRANSIT',
    ],
  ] as const)('refuses %s', (_what, streams, command, actor, code) =>
    expect(refusal(() => streams.decide(splitBatch, issued(command, actor))).code).toBe(code),
  );

  it('refuses a split id used before on the lot', () => {
    const streams = ledger(mined);
    streams.decide(splitBatch, issued(split([['a', 1]]), miner));
    expect(refusal(() => streams.decide(splitBatch, issued(split([['b', 1]]), miner))).code).toBe(
      'SPLIT_ALREADY_RECORDED',
    );
  });
});

describe('shipBatch, partially', () => {
  it('splits the quantity off into the shipped lot and ships it, in the same append', () => {
    const streams = ledger(mined);
    const emitted = streams.decide(
      shipBatch,
      issued(ship({ massGrams: 3_000_000, shippedBatchId: 'part' }), miner),
    );
    expect(emitted.map((write) => [write.stream, write.events.map((event) => event.type)])).toEqual([
      ['batch-lot', ['BatchSplit']],
      ['batch-part', ['BatchSplitOff', 'BatchShipped']],
    ]);
    expect(emitted[1]!.events[1]!.data).toMatchObject({
      batchId: 'part',
      shipmentId: 'shp1',
      massGrams: 3_000_000,
    });
    expect(streams.stateOf('batches', 'lot')).toMatchObject({
      remainingGrams: 22_000_000,
      status: 'in_custody',
    });
    expect(streams.stateOf('batches', 'part')).toMatchObject({ status: 'in_transit' });
  });

  it('ships the whole lot when the mass given is all that is left', () => {
    const emitted = ledger(mined).decide(shipBatch, issued(ship({ massGrams: 25_000_000 }), miner));
    expect(emitted).toEqual([
      { stream: 'batch-lot', events: [expect.objectContaining({ type: 'BatchShipped' })] },
    ]);
  });

  it.each([
    [
      'less than the lot without a shipped batch id',
      ship({ massGrams: 3_000_000 }),
      'PARTIAL_SHIPMENT_NEEDS_BATCH_ID',
    ],
    [
      'more than the remaining mass',
      ship({ massGrams: 25_000_001, shippedBatchId: 'part' }),
      'SPLIT_EXCEEDS_REMAINING',
    ],
    [
      'to the facility it is at',
      ship({ massGrams: 1, shippedBatchId: 'part', toOrgId: 'mineco', toFacilityId: 'mine' }),
      'SHIPMENT_TO_SAME_FACILITY',
    ],
  ] as const)('refuses %s, writing nothing', (_what, command, code) => {
    const streams = ledger(mined);
    expect(refusal(() => streams.decide(shipBatch, issued(command, miner))).code).toBe(code);
    expect(streams.stateOf('batches', 'part').exists).toBe(false);
    expect(streams.stateOf('batches', 'lot')).toMatchObject({ remainingGrams: 25_000_000 });
  });
});
