import { BACKFILL } from '../spec-support';
import type { BatchEvent } from '../batch/batch.events';
import { InMemoryStreams, type Issued } from '../decider';
import type { OrganisationEvent } from '../organisation/organisation.events';
import type { Actor } from '../shared/actor';
import { DomainError } from '../shared/domain-error';
import { transformBatches, type TransformBatches } from './transformation.decider';

const plant = (orgId: string, country: string, ...facilityIds: string[]): OrganisationEvent[] => [
  { type: 'OrganisationRegistered', data: { orgId, name: orgId, country, roles: ['producer'] } },
  ...facilityIds.map((facilityId): OrganisationEvent => ({
    type: 'FacilityRegistered',
    data: { orgId, facilityId, kind: 'processing_plant', name: facilityId, country },
  })),
];
const refco: Actor = { orgId: 'refco', keyId: 'k', roles: ['producer'] };

/** A batch produced at the plant earlier, so it is in RefCo's custody at `facilityId`. */
const batchAt = (
  batchId: string,
  massGrams: number,
  facilityId = 'gebeng',
  ...later: BatchEvent[]
): BatchEvent[] => [
  {
    type: 'BatchProduced',
    data: {
      batchId,
      transformationId: `made-${batchId}`,
      process: 'beneficiation',
      orgId: 'refco',
      facilityId,
      material: { form: 'concentrate' },
      massGrams,
      allocation: { method: 'mass', share: 1 },
      occurredAt: '2026-03-01T00:00:00Z',
    },
  },
  ...later,
];

/** RefCo's plant (facilities gebeng and other) and the batches given, by id. */
const ledger = (
  batches: Record<string, BatchEvent[]> = { A: batchAt('A', 1_000_000), B: batchAt('B', 400_000) },
): InMemoryStreams => {
  const streams = new InMemoryStreams().given(
    'organisations',
    'refco',
    ...plant('refco', 'MY', 'gebeng', 'other'),
  );
  for (const [batchId, events] of Object.entries(batches)) streams.given('batches', batchId, ...events);
  return streams;
};

const command = (
  overrides: Partial<TransformBatches['data']> = {},
  actor = refco,
): Issued<TransformBatches> => ({
  type: 'TransformBatches',
  data: {
    transformationId: 'T1',
    facilityId: 'gebeng',
    process: 'solvent_extraction',
    occurredAt: '2026-04-01T00:00:00Z',
    inputs: [
      { batchId: 'A', consumedGrams: 600_000 },
      { batchId: 'B', consumedGrams: 400_000 },
    ],
    outputs: [
      { batchId: 'NDPR', material: { form: 'oxide', elements: ['Nd', 'Pr'] }, massGrams: 200_000 },
      { batchId: 'LACE', material: { form: 'mixed_compound', elements: ['La', 'Ce'] }, massGrams: 600_000 },
    ],
    residues: [{ kind: 'raffinate', massGrams: 150_000 }],
    processEmissionsKgCo2e: 1000,
    allocation: { method: 'mass' },
    ...overrides,
  },
  metadata: { actor, recordedAt: '2026-06-01T00:00:00Z', policy: BACKFILL },
});

const refusal = (run: () => unknown): string => {
  try {
    run();
  } catch (error) {
    if (error instanceof DomainError) return error.code;
    throw error;
  }
  throw new Error('the command was not refused');
};

describe('transformBatches', () => {
  it('records the declaration once, consumes each input and produces each output, with mass allocation and the loss declared', () => {
    const written = ledger().decide(transformBatches, command());
    const common = {
      transformationId: 'T1',
      process: 'solvent_extraction',
      orgId: 'refco',
      facilityId: 'gebeng',
    } as const;
    const occurredAt = '2026-04-01T00:00:00Z';
    const NDPR = { form: 'oxide', elements: ['Nd', 'Pr'] } as const;
    const LACE = { form: 'mixed_compound', elements: ['La', 'Ce'] } as const;
    // One atomic decision: the transformation's own stream first, then each input's and each output's.
    // Only the declaration names the other batches; each batch's event carries its own facts.
    expect(written).toEqual([
      {
        stream: 'transformation-T1',
        events: [
          {
            type: 'TransformationRecorded',
            data: {
              ...common,
              inputs: [
                { batchId: 'A', consumedGrams: 600_000 },
                { batchId: 'B', consumedGrams: 400_000 },
              ],
              outputs: [
                {
                  batchId: 'NDPR',
                  material: NDPR,
                  massGrams: 200_000,
                  allocation: { method: 'mass', share: 0.25 },
                },
                {
                  batchId: 'LACE',
                  material: LACE,
                  massGrams: 600_000,
                  allocation: { method: 'mass', share: 0.75 },
                },
              ],
              residues: [{ kind: 'raffinate', massGrams: 150_000 }],
              unaccountedLossGrams: 50_000, // 1000 consumed - 800 out - 150 residue
              processEmissionsKgCo2e: 1000,
              occurredAt,
            },
          },
        ],
      },
      {
        stream: 'batch-A',
        events: [
          {
            type: 'BatchRefined',
            // a partial consumption leaves the rest in custody
            data: { batchId: 'A', ...common, consumedGrams: 600_000, remainingGrams: 400_000, occurredAt },
          },
        ],
      },
      {
        stream: 'batch-B',
        events: [
          {
            type: 'BatchRefined',
            data: { batchId: 'B', ...common, consumedGrams: 400_000, remainingGrams: 0, occurredAt },
          },
        ],
      },
      {
        stream: 'batch-NDPR',
        events: [
          {
            type: 'BatchProduced',
            data: {
              batchId: 'NDPR',
              ...common,
              material: NDPR,
              massGrams: 200_000,
              allocation: { method: 'mass', share: 0.25 }, // 200 of 800 kg of outputs
              occurredAt,
            },
          },
        ],
      },
      {
        stream: 'batch-LACE',
        events: [
          {
            type: 'BatchProduced',
            data: {
              batchId: 'LACE',
              ...common,
              material: LACE,
              massGrams: 600_000,
              allocation: { method: 'mass', share: 0.75 },
              occurredAt,
            },
          },
        ],
      },
    ]);
  });

  it('marks a fully consumed input consumed, so it cannot be used again', () => {
    const streams = ledger();
    streams.decide(transformBatches, command());
    expect(streams.stateOf('batches', 'B')).toMatchObject({ status: 'consumed', remainingGrams: 0 });
    const again = command({ transformationId: 'T2', inputs: [{ batchId: 'B', consumedGrams: 1 }] });
    expect(refusal(() => streams.decide(transformBatches, again))).toBe('BATCH_NOT_AVAILABLE');
  });

  it('takes economic keys that sum to exactly 1 in decimal (0.7 + 0.2 + 0.1)', () => {
    const outputs = ['X', 'Y', 'Z'].map((batchId) => ({
      batchId,
      material: { form: 'oxide' as const },
      massGrams: 100_000,
    }));
    const economic = command({
      outputs,
      allocation: { method: 'economic', keys: { X: 0.7, Y: 0.2, Z: 0.1 } },
    });
    const written = ledger().decide(transformBatches, economic);
    expect(written.map(({ stream }) => stream)).toEqual([
      'transformation-T1',
      'batch-A',
      'batch-B',
      'batch-X',
      'batch-Y',
      'batch-Z',
    ]);
    expect(written[3]?.events[0]?.data).toMatchObject({ allocation: { method: 'economic', share: 0.7 } });
  });

  it.each([
    [
      'keys not summing to 1',
      { method: 'economic', keys: { NDPR: 0.8, LACE: 0.15 } },
      'ALLOCATION_KEYS_DO_NOT_SUM_TO_ONE',
    ],
    [
      'a key for an unknown output',
      { method: 'economic', keys: { NDPR: 0.85, OTHER: 0.15 } },
      'ALLOCATION_KEYS_MISMATCH',
    ],
    ['a missing key', { method: 'economic', keys: { NDPR: 1 } }, 'ALLOCATION_KEYS_MISMATCH'],
    ['a key above 1', { method: 'economic', keys: { NDPR: 1.5, LACE: -0.5 } }, 'ALLOCATION_KEY_INVALID'],
    [
      'a key with 10 decimals',
      { method: 'economic', keys: { NDPR: 0.8500000001, LACE: 0.1499999999 } },
      'ALLOCATION_KEY_INVALID',
    ],
  ] as const)('refuses %s', (_case, allocation, code) => {
    expect(refusal(() => ledger().decide(transformBatches, command({ allocation })))).toBe(code);
  });

  it.each<[string, Partial<TransformBatches['data']>, Record<string, BatchEvent[]> | undefined, string]>([
    [
      'outputs heavier than consumed',
      { residues: [{ kind: 'slag', massGrams: 200_001 }] },
      undefined,
      'OUTPUT_MASS_EXCEEDS_CONSUMED',
    ],
    [
      'outputs alone heavier than consumed',
      {
        outputs: [
          { batchId: 'NDPR', material: { form: 'oxide' }, massGrams: 400_000 },
          { batchId: 'LACE', material: { form: 'mixed_compound' }, massGrams: 600_001 },
        ],
        residues: [],
      },
      undefined,
      'OUTPUT_MASS_EXCEEDS_CONSUMED',
    ],
    [
      'more consumed than remains',
      { inputs: [{ batchId: 'A', consumedGrams: 1_000_001 }] },
      undefined,
      'CONSUMED_MASS_EXCEEDS_REMAINING',
    ],
    ['an unknown input', { inputs: [{ batchId: 'GHOST', consumedGrams: 1 }] }, undefined, 'BATCH_NOT_FOUND'],
    [
      'an input at another facility',
      {},
      { A: batchAt('A', 1_000_000, 'other'), B: batchAt('B', 400_000) },
      'INPUT_NOT_AT_FACILITY',
    ],
    [
      'a held input',
      {},
      {
        A: batchAt('A', 1_000_000, 'gebeng', {
          type: 'BatchHeld',
          data: { batchId: 'A', authorityOrgId: 'c', reason: 'r', occurredAt: '2026-03-02T00:00:00Z' },
        }),
        B: batchAt('B', 400_000),
      },
      'BATCH_HELD',
    ],
    [
      'an input in transit',
      {},
      {
        A: batchAt('A', 1_000_000, 'gebeng', {
          type: 'BatchShipped',
          data: {
            batchId: 'A',
            shipmentId: 's',
            fromOrgId: 'refco',
            fromFacilityId: 'gebeng',
            toOrgId: 'x',
            toFacilityId: 'y',
            massGrams: 1_000_000,
            documents: [],
            occurredAt: '2026-03-02T00:00:00Z',
          },
        }),
        B: batchAt('B', 400_000),
      },
      'BATCH_IN_TRANSIT',
    ],
    [
      'the same batch twice',
      {
        inputs: [
          { batchId: 'A', consumedGrams: 1 },
          { batchId: 'A', consumedGrams: 1 },
        ],
      },
      undefined,
      'BATCH_NAMED_TWICE',
    ],
    [
      'an output that is also an input',
      { outputs: [{ batchId: 'A', material: { form: 'oxide' }, massGrams: 1 }] },
      undefined,
      'BATCH_NAMED_TWICE',
    ],
    ['an unknown facility', { facilityId: 'nowhere' }, undefined, 'FACILITY_NOT_FOUND'],
    [
      'a time before an input existed',
      { occurredAt: '2026-02-01T00:00:00Z' },
      undefined,
      'OCCURRED_BEFORE_PREVIOUS_EVENT',
    ],
  ])('refuses %s', (_case, overrides, batches, code) => {
    expect(refusal(() => ledger(batches).decide(transformBatches, command(overrides)))).toBe(code);
  });

  it('refuses an output batch id that exists', () => {
    const taken = ledger({ A: batchAt('A', 1_000_000), B: batchAt('B', 400_000), NDPR: batchAt('NDPR', 1) });
    expect(refusal(() => taken.decide(transformBatches, command()))).toBe('BATCH_ALREADY_EXISTS');
  });

  it('refuses a transformation id already recorded, whatever batches it names', () => {
    const streams = ledger({
      A: batchAt('A', 1_000_000),
      B: batchAt('B', 400_000),
      C: batchAt('C', 400_000),
    });
    streams.decide(transformBatches, command());
    const again = command({
      inputs: [{ batchId: 'C', consumedGrams: 100_000 }],
      outputs: [{ batchId: 'N2', material: { form: 'oxide' }, massGrams: 1 }],
      residues: [],
    });
    expect(refusal(() => streams.decide(transformBatches, again))).toBe('TRANSFORMATION_ALREADY_RECORDED');
    expect(streams.stateOf('transformations', 'T1')).toMatchObject({ exists: true, transformationId: 'T1' });
  });

  it('refuses, in a schema-1 log (no transformation stream), an id its input already carries', () => {
    const streams = ledger();
    streams.decide(
      transformBatches,
      command({ outputs: [{ batchId: 'N1', material: { form: 'oxide' }, massGrams: 1 }] }),
    );
    streams.forget('transformations', 'T1');
    const again = command({
      inputs: [{ batchId: 'A', consumedGrams: 100_000 }],
      outputs: [{ batchId: 'N2', material: { form: 'oxide' }, massGrams: 1 }],
      residues: [],
    });
    expect(refusal(() => streams.decide(transformBatches, again))).toBe('TRANSFORMATION_ALREADY_RECORDED');
  });

  it('refuses the same transformation id on an input twice', () => {
    const streams = ledger();
    streams.decide(
      transformBatches,
      command({
        inputs: [{ batchId: 'A', consumedGrams: 500_000 }],
        outputs: [{ batchId: 'N1', material: { form: 'oxide' }, massGrams: 1 }],
        residues: [],
      }),
    );
    const again = command({
      inputs: [{ batchId: 'A', consumedGrams: 100_000 }],
      outputs: [{ batchId: 'N2', material: { form: 'oxide' }, massGrams: 1 }],
      residues: [],
    });
    expect(refusal(() => streams.decide(transformBatches, again))).toBe('TRANSFORMATION_ALREADY_RECORDED');
  });

  it('refuses an actor without the producer role', () => {
    const regulator: Actor = { orgId: 'refco', keyId: 'k', roles: ['regulator'] };
    expect(refusal(() => ledger().decide(transformBatches, command({}, regulator)))).toBe('ROLE_REQUIRED');
  });

  it('refuses an actor who does not hold the inputs', () => {
    const streams = ledger().given('organisations', 'other', ...plant('other', 'CN', 'gebeng'));
    const stranger: Actor = { orgId: 'other', keyId: 'k', roles: ['producer'] };
    expect(refusal(() => streams.decide(transformBatches, command({}, stranger)))).toBe(
      'BATCH_NOT_IN_CUSTODY',
    );
  });
});
