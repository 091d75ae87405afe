import { InMemoryStreams, type Issued } from '../decider';
import type { BatchEvent, BatchMined } from '../batch/batch.events';
import type { Actor } from '../shared/actor';
import { BACKFILL, refusal } from '../spec-support';
import { blendBatches, type BlendBatches } from './blend.decider';

const trader: Actor = { orgId: 'trader', keyId: 'k', roles: ['producer'] };
const issued = <C>(command: C): Issued<C> => ({
  ...command,
  metadata: { actor: trader, recordedAt: '2026-03-01T00:00:00Z', policy: BACKFILL },
});
const lot = (batchId: string, facilityId: string, massGrams: number, form = 'concentrate'): BatchMined => ({
  type: 'BatchMined',
  data: {
    batchId,
    orgId: 'trader',
    facilityId,
    material: { form: form as 'concentrate' },
    massGrams,
    occurredAt: '2026-01-10T08:00:00Z',
  },
});
const ledger = (lots: Record<string, BatchEvent[]>) => {
  const streams = new InMemoryStreams().given(
    'organisations',
    'trader',
    {
      type: 'OrganisationRegistered',
      data: { orgId: 'trader', name: 't', country: 'AU', roles: ['producer'] },
    },
    {
      type: 'FacilityRegistered',
      data: { orgId: 'trader', facilityId: 'yard', kind: 'warehouse', name: 'y', country: 'AU' },
    },
    {
      type: 'FacilityRegistered',
      data: { orgId: 'trader', facilityId: 'port', kind: 'port', name: 'p', country: 'AU' },
    },
  );
  for (const [id, events] of Object.entries(lots)) streams.given('batches', id, ...events);
  return streams;
};
const standard = () => ledger({ a: [lot('a', 'yard', 7_000_000)], b: [lot('b', 'yard', 5_000_000)] });
const blend = (inputs: [string, number][], form = 'concentrate'): BlendBatches => ({
  type: 'BlendBatches',
  data: {
    blendId: 'bl1',
    facilityId: 'yard',
    inputs: inputs.map(([batchId, consumedGrams]) => ({ batchId, consumedGrams })),
    output: { batchId: 'mix', material: { form: form as 'concentrate' } },
    occurredAt: '2026-01-12T08:00:00Z',
  },
});

describe('blendBatches', () => {
  it('blends lots into a new lot weighing what was consumed, in one append', () => {
    const streams = standard();
    const emitted = streams.decide(
      blendBatches,
      issued(
        blend([
          ['a', 7_000_000],
          ['b', 4_000_000],
        ]),
      ),
    );
    expect(emitted.map((write) => [write.stream, write.events.map((event) => event.type)])).toEqual([
      ['batch-a', ['BatchBlended']],
      ['batch-b', ['BatchBlended']],
      ['batch-mix', ['BlendProduced']],
    ]);
    expect(emitted[2]!.events[0]!.data).toEqual({
      batchId: 'mix',
      blendId: 'bl1',
      orgId: 'trader',
      facilityId: 'yard',
      inputs: [
        { batchId: 'a', consumedGrams: 7_000_000 },
        { batchId: 'b', consumedGrams: 4_000_000 },
      ],
      material: { form: 'concentrate' },
      massGrams: 11_000_000,
      occurredAt: '2026-01-12T08:00:00Z',
    });
    expect(streams.stateOf('batches', 'a')).toMatchObject({ status: 'consumed', remainingGrams: 0 });
    expect(streams.stateOf('batches', 'b')).toMatchObject({
      status: 'in_custody',
      remainingGrams: 1_000_000,
    });
  });

  const held: BatchEvent = {
    type: 'BatchHeld',
    data: { batchId: 'b', authorityOrgId: 'c', reason: 'r', occurredAt: '2026-01-11T00:00:00Z' },
  };
  const inTransit: BatchEvent = {
    type: 'BatchShipped',
    data: {
      batchId: 'b',
      shipmentId: 's',
      fromOrgId: 'trader',
      fromFacilityId: 'port',
      toOrgId: 'trader',
      toFacilityId: 'yard',
      massGrams: 5_000_000,
      documents: [],
      occurredAt: '2026-01-11T00:00:00Z',
    },
  };
  it.each([
    [
      'a held lot',
      { a: [lot('a', 'yard', 7_000_000)], b: [lot('b', 'yard', 5_000_000), held] },
      blend([
        ['a', 1],
        ['b', 1],
      ]),
      'BATCH_HELD',
    ],
    [
      'a lot in transit',
      { a: [lot('a', 'yard', 7_000_000)], b: [lot('b', 'port', 5_000_000), inTransit] },
      blend([
        ['a', 1],
        ['b', 1],
      ]),
      'BATCH_IN_TRANSIT',
    ],
    [
      'lots at two facilities',
      { a: [lot('a', 'yard', 7_000_000)], b: [lot('b', 'port', 5_000_000)] },
      blend([
        ['a', 1],
        ['b', 1],
      ]),
      'INPUT_NOT_AT_FACILITY',
    ],
    [
      'different forms',
      { a: [lot('a', 'yard', 7_000_000)], b: [lot('b', 'yard', 5_000_000, 'ore')] },
      blend([
        ['a', 1],
        ['b', 1],
      ]),
      'BLEND_OF_DIFFERENT_FORMS',
    ],
    [
      'an output of another form',
      { a: [lot('a', 'yard', 7_000_000)], b: [lot('b', 'yard', 5_000_000)] },
      blend(
        [
          ['a', 1],
          ['b', 1],
        ],
        'oxide',
      ),
      'BLEND_OF_DIFFERENT_FORMS',
    ],
    [
      'more than a lot has left',
      { a: [lot('a', 'yard', 7_000_000)], b: [lot('b', 'yard', 5_000_000)] },
      blend([
        ['a', 1],
        ['b', 5_000_001],
      ]),
      'CONSUMED_MASS_EXCEEDS_REMAINING',
    ],
    ['one input', { a: [lot('a', 'yard', 7_000_000)] }, blend([['a', 1]]), 'BLEND_NEEDS_TWO_INPUTS'],
    [
      'a lot named twice',
      { a: [lot('a', 'yard', 7_000_000)] },
      blend([
        ['a', 1],
        ['a', 1],
      ]),
      'BATCH_NAMED_TWICE',
    ],
    [
      'an output that exists',
      { a: [lot('a', 'yard', 7_000_000)], b: [lot('b', 'yard', 5_000_000)], mix: [lot('mix', 'yard', 1)] },
      blend([
        ['a', 1],
        ['b', 1],
      ]),
      'BATCH_ALREADY_EXISTS',
    ],
  ] as const)('refuses %s, writing nothing', (_what, lots, command, code) => {
    const streams = ledger(lots as unknown as Record<string, BatchEvent[]>);
    expect(refusal(() => streams.decide(blendBatches, issued(command))).code).toBe(code);
    expect(streams.stateOf('batches', 'a')).toMatchObject({ remainingGrams: 7_000_000 });
  });
});
