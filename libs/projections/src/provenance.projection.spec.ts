import type { LedgerEvent } from '@tracelode/domain';
import type { StoredEvent } from '@tracelode/event-store';
import type { ViewTransaction } from '@tracelode/read-models';
import { transformationEvents } from '@tracelode/testing';
import { type DocumentProjection, toLedgerEvent } from './document-projection';
import { organisationsProjection } from './organisations.projection';
import { applyEvent } from './projector';
import {
  PROVENANCE,
  provenanceProjection,
  type ProvenanceView,
  traceDescendants,
} from './provenance.projection';
import { TRANSFORMATIONS, transformationsProjection } from './transformations.projection';

const stored = (event: LedgerEvent, position: number): StoredEvent => ({
  position: BigInt(position),
  stream: 'x',
  revision: 0n,
  eventId: `00000000-0000-4000-8000-${String(position).padStart(12, '0')}`,
  type: event.type,
  data: event.data,
  metadata: {},
  recordedAt: '2026-04-01T00:00:00.000Z',
});

/** Folds events the way the runner does: applyEvent over an in-memory transaction, one position each. */
function fold(events: readonly LedgerEvent[]) {
  const documents = new Map<string, unknown>();
  const tx: ViewTransaction = {
    get: <V>(collection: string, key: string) =>
      structuredClone(documents.get(`${collection}/${key}`)) as V | undefined,
    put: (collection, key, view) => void documents.set(`${collection}/${key}`, view),
  };
  const projections = [
    organisationsProjection,
    transformationsProjection,
    provenanceProjection,
  ] as DocumentProjection<unknown>[];
  events.forEach((event, i) => applyEvent(tx, projections, stored(event, i + 1)));
  return (batchId: string) => documents.get(`${PROVENANCE}/${batchId}`) as ProvenanceView;
}

const organisation = (orgId: string, facilities: [string, string][]): LedgerEvent[] => [
  { type: 'OrganisationRegistered', data: { orgId, name: orgId, country: 'AU', roles: ['producer'] } },
  ...facilities.map(([facilityId, country]): LedgerEvent => ({
    type: 'FacilityRegistered',
    data: { orgId, facilityId, kind: 'mine', name: facilityId, country },
  })),
];

const mined = (batchId: string, orgId: string, facilityId: string, massGrams = 1_000_000): LedgerEvent => ({
  type: 'BatchMined',
  data: {
    batchId,
    orgId,
    facilityId,
    material: { form: 'concentrate' },
    massGrams,
    occurredAt: '2026-03-01T00:00:00Z',
  },
});

/** A transformation's events in log order: its declaration, each input's BatchRefined, each output's BatchProduced. */
function transformation(
  transformationId: string,
  inputs: [batchId: string, consumedGrams: number][],
  outputs: [batchId: string, massGrams: number][],
): LedgerEvent[] {
  const produced = outputs.reduce((sum, [, grams]) => sum + grams, 0);
  return transformationEvents({
    transformationId,
    process: 'cracking_leaching',
    orgId: 'refco',
    facilityId: 'kuantan',
    inputs: inputs.map(([batchId, consumedGrams]) => ({ batchId, consumedGrams })),
    outputs: outputs.map(([batchId, massGrams]) => ({
      batchId,
      material: { form: 'mixed_compound' },
      massGrams,
      allocation: { method: 'mass', share: massGrams / produced },
    })),
    residues: [],
    unaccountedLossGrams: 0,
    processEmissionsKgCo2e: 0,
    occurredAt: '2026-03-10T00:00:00Z',
  });
}

const PARTIES = [
  ...organisation('mineco', [['mt-weld', 'AU']]),
  ...organisation('serra', [['serra-verde', 'BR']]),
];

describe('provenanceProjection', () => {
  it('makes a mined batch its own only origin, at depth 0, with its mine’s country', () => {
    const provenance = fold([...PARTIES, mined('A', 'mineco', 'mt-weld')]);

    expect(provenance('A')).toEqual({
      batchId: 'A',
      parents: [],
      children: [],
      depth: 0,
      origins: [{ batchId: 'A', facilityId: 'mt-weld', orgId: 'mineco', country: 'AU', massFraction: 1 }],
      position: '5',
    });
  });

  it('weights the inputs’ origins by consumed mass and links parents and children both ways', () => {
    // 3 t of A and 1 t of B consumed: A supplies 3/4 of the mix, B 1/4, whatever the inputs weighed.
    const provenance = fold([
      ...PARTIES,
      mined('A', 'mineco', 'mt-weld', 10_000_000),
      mined('B', 'serra', 'serra-verde', 2_000_000),
      ...transformation(
        'T1',
        [
          ['A', 3_000_000],
          ['B', 1_000_000],
        ],
        [['M', 3_500_000]],
      ),
    ]);

    expect(provenance('M')).toEqual({
      batchId: 'M',
      parents: [
        { batchId: 'A', consumedKg: 3000, transformationId: 'T1' },
        { batchId: 'B', consumedKg: 1000, transformationId: 'T1' },
      ],
      children: [],
      depth: 1,
      origins: [
        { batchId: 'A', facilityId: 'mt-weld', orgId: 'mineco', country: 'AU', massFraction: 0.75 },
        { batchId: 'B', facilityId: 'serra-verde', orgId: 'serra', country: 'BR', massFraction: 0.25 },
      ],
      position: '10',
    });
    expect(provenance('A').children).toEqual([{ batchId: 'M', transformationId: 'T1' }]);
    expect(provenance('A').position).toBe('8');
    expect(provenance('B').children).toEqual([{ batchId: 'M', transformationId: 'T1' }]);
  });

  it('gives every output of one transformation the same origin mix', () => {
    const provenance = fold([
      ...PARTIES,
      mined('A', 'mineco', 'mt-weld'),
      mined('B', 'serra', 'serra-verde'),
      ...transformation(
        'T1',
        [
          ['A', 600_000],
          ['B', 400_000],
        ],
        [
          ['X', 700_000],
          ['Y', 100_000],
        ],
      ),
    ]);

    expect(provenance('X').origins).toEqual(provenance('Y').origins);
    expect(provenance('X').origins.map((origin) => origin.massFraction)).toEqual([0.6, 0.4]);
    expect(provenance('A').children).toEqual([
      { batchId: 'X', transformationId: 'T1' },
      { batchId: 'Y', transformationId: 'T1' },
    ]);
  });

  it('merges a mined batch reached by two paths (a diamond) and keeps the fractions summing to 1', () => {
    // M = 1/2 A + 1/2 B. D consumes 3 t of M and 1 t of B: B = 3/4 × 1/2 + 1/4 = 5/8, A = 3/4 × 1/2 = 3/8.
    const provenance = fold([
      ...PARTIES,
      mined('A', 'mineco', 'mt-weld', 5_000_000),
      mined('B', 'serra', 'serra-verde', 5_000_000),
      ...transformation(
        'T1',
        [
          ['A', 2_000_000],
          ['B', 2_000_000],
        ],
        [['M', 4_000_000]],
      ),
      ...transformation(
        'T2',
        [
          ['M', 3_000_000],
          ['B', 1_000_000],
        ],
        [['D', 3_000_000]],
      ),
    ]);

    const origins = provenance('D').origins;
    expect(origins.map((origin) => [origin.batchId, origin.massFraction])).toEqual([
      ['A', 0.375],
      ['B', 0.625],
    ]);
    expect(origins.reduce((sum, origin) => sum + origin.massFraction, 0)).toBe(1);
    expect(provenance('D').depth).toBe(2);
    expect(provenance('B').children).toEqual([
      { batchId: 'M', transformationId: 'T1' },
      { batchId: 'D', transformationId: 'T2' },
    ]);
  });

  it('puts a produced batch one level below its deepest input', () => {
    const provenance = fold([
      ...PARTIES,
      mined('A', 'mineco', 'mt-weld'),
      mined('B', 'mineco', 'mt-weld'),
      ...transformation('T1', [['A', 500_000]], [['M1', 400_000]]),
      ...transformation('T2', [['M1', 400_000]], [['M2', 300_000]]),
      ...transformation(
        'T3',
        [
          ['M2', 300_000],
          ['B', 100_000],
        ],
        [['M3', 350_000]],
      ),
    ]);

    expect([provenance('M1').depth, provenance('M2').depth, provenance('M3').depth]).toEqual([1, 2, 3]);
  });

  it('leaves the country null for a mine that was never registered', () => {
    const provenance = fold([mined('A', 'ghost', 'nowhere')]);

    expect(provenance('A').origins[0]).toMatchObject({
      orgId: 'ghost',
      facilityId: 'nowhere',
      country: null,
    });
  });

  it('refuses a produced batch whose input has no view, and a refining of an unknown batch', () => {
    const [recorded, refined, produced] = transformation('T1', [['A', 1_000]], [['M', 1_000]]);

    expect(() => fold([recorded!, produced!])).toThrow('Batch M names input A, which has no provenance');
    expect(() => fold([recorded!, refined!])).toThrow('BatchRefined for batch A that has no provenance');
  });

  it('refuses a transformation’s batch event whose declaration was never recorded', () => {
    const [, refined, produced] = transformation('T1', [['A', 1_000]], [['M', 1_000]]);

    expect(() => fold([...PARTIES, mined('A', 'mineco', 'mt-weld'), refined!])).toThrow(
      'BatchRefined of A names transformation T1, which has no declaration',
    );
    expect(() => fold([...PARTIES, mined('A', 'mineco', 'mt-weld'), produced!])).toThrow(
      'BatchProduced of M names transformation T1, which has no declaration',
    );
  });

  it('does not change the view it is given', () => {
    const view = fold([...PARTIES, mined('A', 'mineco', 'mt-weld')])('A');
    const before = structuredClone(view);
    const [recorded, refined] = transformation('T1', [['A', 1_000]], [['M', 1_000]]);
    const lookup = (collection: string, key: string) =>
      collection === TRANSFORMATIONS && key === 'T1' ? recorded!.data : undefined;

    provenanceProjection.evolve(view, toLedgerEvent(stored(refined!, 9)), stored(refined!, 9), lookup);

    expect(view).toEqual(before);
  });

  it('keys batch creation and refining only', () => {
    const others: LedgerEvent[] = [
      PARTIES[0]!,
      {
        type: 'BatchReceived',
        data: {
          batchId: 'A',
          shipmentId: 'S',
          orgId: 'refco',
          facilityId: 'kuantan',
          receivedMassGrams: 1,
          discrepancyGrams: 0,
          occurredAt: '2026-03-02T00:00:00Z',
        },
      },
      {
        type: 'BatchHeld',
        data: { batchId: 'A', authorityOrgId: 'r', reason: 'r', occurredAt: '2026-03-02T00:00:00Z' },
      },
    ];

    for (const event of others) expect(provenanceProjection.keyOf(event)).toBeUndefined();
    expect(provenanceProjection.keyOf(mined('A', 'mineco', 'mt-weld'))).toBe('A');
  });
});

describe('traceDescendants', () => {
  it('walks the children breadth-first, each batch once at its shallowest depth', () => {
    // B → M (T1) → D (T2), and B → D directly (T2); M → N (T3).
    const provenance = fold([
      ...PARTIES,
      mined('A', 'mineco', 'mt-weld'),
      mined('B', 'serra', 'serra-verde'),
      ...transformation(
        'T1',
        [
          ['A', 200_000],
          ['B', 200_000],
        ],
        [['M', 400_000]],
      ),
      ...transformation(
        'T2',
        [
          ['M', 100_000],
          ['B', 100_000],
        ],
        [
          ['D', 150_000],
          ['E', 50_000],
        ],
      ),
      ...transformation('T3', [['M', 100_000]], [['N', 100_000]]),
    ]);

    expect(traceDescendants(provenance('B'), provenance)).toEqual([
      { batchId: 'M', depth: 1, viaTransformationId: 'T1' },
      { batchId: 'D', depth: 1, viaTransformationId: 'T2' },
      { batchId: 'E', depth: 1, viaTransformationId: 'T2' },
      { batchId: 'N', depth: 2, viaTransformationId: 'T3' },
    ]);
    expect(traceDescendants(provenance('A'), provenance)).toEqual([
      { batchId: 'M', depth: 1, viaTransformationId: 'T1' },
      { batchId: 'D', depth: 2, viaTransformationId: 'T2' },
      { batchId: 'E', depth: 2, viaTransformationId: 'T2' },
      { batchId: 'N', depth: 2, viaTransformationId: 'T3' },
    ]);
    expect(traceDescendants(provenance('N'), provenance)).toEqual([]);
  });
});
