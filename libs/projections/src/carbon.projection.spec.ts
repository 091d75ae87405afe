import type { LedgerEvent } from '@tracelode/domain';
import type { StoredEvent } from '@tracelode/event-store';
import type { ViewTransaction } from '@tracelode/read-models';
import { transformationEvents } from '@tracelode/testing';
import { CARBON, carbonProjection, type CarbonView } from './carbon.projection';
import type { DocumentProjection } from './document-projection';
import { organisationsProjection } from './organisations.projection';
import { applyEvent } from './projector';
import { transformationsProjection } from './transformations.projection';

const stored = (event: LedgerEvent, position: number): StoredEvent => ({
  position: BigInt(position),
  stream: 'x',
  revision: 0n,
  eventId: `00000000-0000-4000-8000-${String(position).padStart(12, '0')}`,
  type: event.type,
  data: event.data,
  metadata: {},
  recordedAt: `2026-04-01T00:00:${String(position).padStart(2, '0')}.000Z`,
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
    carbonProjection,
  ] as DocumentProjection<unknown>[];
  events.forEach((event, i) => applyEvent(tx, projections, stored(event, i + 1)));
  return (batchId: string) => documents.get(`${CARBON}/${batchId}`) as CarbonView;
}

/** Relative 1e-9 (absolute below 1e-12), as floating-point sums of the same terms in another order allow. */
function expectClose(actual: number, expected: number): void {
  expect(Math.abs(actual - expected)).toBeLessThanOrEqual(Math.max(Math.abs(expected) * 1e-9, 1e-12));
}

const sumOf = (view: CarbonView) => view.breakdown.reduce((sum, entry) => sum + entry.kgCo2e, 0);

const PARTIES: LedgerEvent[] = [
  {
    type: 'OrganisationRegistered',
    data: { orgId: 'mineco', name: 'M', country: 'AU', roles: ['producer'] },
  },
  {
    type: 'FacilityRegistered',
    data: { orgId: 'mineco', facilityId: 'mt-weld', kind: 'mine', name: 'Mt Weld', country: 'AU' },
  },
  { type: 'OrganisationRegistered', data: { orgId: 'serra', name: 'S', country: 'BR', roles: ['producer'] } },
  {
    type: 'FacilityRegistered',
    data: { orgId: 'serra', facilityId: 'serra-verde', kind: 'mine', name: 'SV', country: 'BR' },
  },
  { type: 'OrganisationRegistered', data: { orgId: 'refco', name: 'R', country: 'MY', roles: ['producer'] } },
  {
    type: 'FacilityRegistered',
    data: { orgId: 'refco', facilityId: 'kuantan', kind: 'processing_plant', name: 'K', country: 'MY' },
  },
];

const MINES: Record<string, [orgId: string, facilityId: string]> = {
  A: ['mineco', 'mt-weld'],
  B: ['serra', 'serra-verde'],
  C: ['mineco', 'mt-weld'],
};

const mined = (
  batchId: string,
  massKg: number,
  extractionEmissionsKgCo2e?: number,
  occurredAt = '2026-03-01T08:00:00+08:00',
): LedgerEvent => ({
  type: 'BatchMined',
  data: {
    batchId,
    orgId: MINES[batchId]![0],
    facilityId: MINES[batchId]![1],
    material: { form: 'concentrate', elements: ['Nd', 'Pr'] },
    massGrams: massKg * 1000,
    ...(extractionEmissionsKgCo2e === undefined ? {} : { extractionEmissionsKgCo2e }),
    occurredAt,
  },
});

/** A transformation at kuantan: its declaration, each input's BatchRefined, each output's BatchProduced. */
function transformation(
  transformationId: string,
  inputs: [batchId: string, consumedKg: number][],
  outputs: [batchId: string, massKg: number, share: number][],
  processEmissionsKgCo2e: number,
  method: 'mass' | 'economic' = 'mass',
): LedgerEvent[] {
  return transformationEvents({
    transformationId,
    process: 'solvent_extraction',
    orgId: 'refco',
    facilityId: 'kuantan',
    inputs: inputs.map(([batchId, kg]) => ({ batchId, consumedGrams: kg * 1000 })),
    outputs: outputs.map(([batchId, massKg, share]) => ({
      batchId,
      material: { form: 'oxide', elements: ['Nd', 'Pr'] },
      massGrams: massKg * 1000,
      allocation: { method, share },
    })),
    residues: [],
    unaccountedLossGrams: 0,
    processEmissionsKgCo2e,
    occurredAt: '2026-03-20T10:00:00+08:00',
  });
}

describe('carbonProjection', () => {
  it('gives a mined batch its extraction emissions, per kg, as primary data', () => {
    const carbon = fold([...PARTIES, mined('A', 10_000, 5_000)]);

    expect(carbon('A')).toEqual({
      batchId: 'A',
      embodiedKgCo2e: 5000,
      intensityKgCo2ePerKg: 0.5,
      primaryDataShare: 1,
      breakdown: [{ transformationId: null, process: 'extraction', facilityId: 'mt-weld', kgCo2e: 5000 }],
      massKg: 10_000,
      process: 'extraction',
      material: { form: 'concentrate', elements: ['Nd', 'Pr'] },
      orgId: 'mineco',
      facilityId: 'mt-weld',
      country: 'AU',
      occurredAt: '2026-03-01T08:00:00+08:00',
      referencePeriodStart: '2026-03-01T00:00:00.000Z',
      recordedAt: '2026-04-01T00:00:07.000Z',
      position: '7',
    });
  });

  it('counts unreported extraction emissions as 0 and not as primary data', () => {
    const carbon = fold([...PARTIES, mined('A', 2_000)]);

    expect(carbon('A')).toMatchObject({ embodiedKgCo2e: 0, intensityKgCo2ePerKg: 0, primaryDataShare: 0 });
    expect(carbon('A').breakdown).toEqual([
      { transformationId: null, process: 'extraction', facilityId: 'mt-weld', kgCo2e: 0 },
    ]);
  });

  it('computes (Σ consumed × input intensity + process emissions) × share ÷ output mass', () => {
    // A: 5000/10000 = 0.5 per kg; B: 600/2000 = 0.3. Consumed 3000 kg of A, 1000 kg of B:
    // upstream 1500 + 300 = 1800; + process 800 = 2600 kg CO2e over 3500 kg of output.
    const carbon = fold([
      ...PARTIES,
      mined('A', 10_000, 5_000),
      mined('B', 2_000, 600),
      ...transformation(
        'T1',
        [
          ['A', 3_000],
          ['B', 1_000],
        ],
        [['M', 3_500, 1]],
        800,
      ),
    ]);

    const view = carbon('M');
    expectClose(view.intensityKgCo2ePerKg, 2600 / 3500);
    expectClose(view.embodiedKgCo2e, 2600);
    expect(view.primaryDataShare).toBe(1);
    expect(view.breakdown).toEqual([
      { transformationId: null, process: 'extraction', facilityId: 'mt-weld', kgCo2e: 1500 },
      { transformationId: null, process: 'extraction', facilityId: 'serra-verde', kgCo2e: 300 },
      { transformationId: 'T1', process: 'solvent_extraction', facilityId: 'kuantan', kgCo2e: 800 },
    ]);
    expectClose(sumOf(view), view.embodiedKgCo2e);
    expect(view).toMatchObject({
      massKg: 3500,
      process: 'solvent_extraction',
      country: 'MY',
      orgId: 'refco',
    });
  });

  it('splits upstream and process emissions by economic keys, conserving the total', () => {
    // 4000 kg of A (0.5/kg) = 2000, + 1000 process = 3000 kg CO2e: X takes 0.9 = 2700, Y 0.1 = 300.
    const carbon = fold([
      ...PARTIES,
      mined('A', 10_000, 5_000),
      ...transformation(
        'T1',
        [['A', 4_000]],
        [
          ['X', 1_000, 0.9],
          ['Y', 2_000, 0.1],
        ],
        1_000,
        'economic',
      ),
    ]);

    expectClose(carbon('X').embodiedKgCo2e, 2700);
    expectClose(carbon('X').intensityKgCo2ePerKg, 2.7);
    expectClose(carbon('Y').embodiedKgCo2e, 300);
    expectClose(carbon('Y').intensityKgCo2ePerKg, 0.15);
    expectClose(carbon('X').embodiedKgCo2e + carbon('Y').embodiedKgCo2e, 3000);
    expectClose(sumOf(carbon('X')), 2700);
    // Y's breakdown: A's extraction 5000 × 4000/10000 × 0.1 = 200, T1's own 1000 × 0.1 = 100.
    expect(carbon('Y').breakdown).toHaveLength(2);
    expectClose(carbon('Y').breakdown[0]!.kgCo2e, 200);
    expectClose(carbon('Y').breakdown[1]!.kgCo2e, 100);
  });

  it('gives every output the same intensity under mass allocation', () => {
    const carbon = fold([
      ...PARTIES,
      mined('A', 10_000, 5_000),
      ...transformation(
        'T1',
        [['A', 4_000]],
        [
          ['X', 1_000, 1 / 3],
          ['Y', 2_000, 2 / 3],
        ],
        1_000,
      ),
    ]);

    expectClose(carbon('X').intensityKgCo2ePerKg, 1);
    expectClose(carbon('Y').intensityKgCo2ePerKg, 1);
  });

  it('merges the breakdown of a process reached by two paths (a diamond) and still sums to the total', () => {
    // T1: 2000 kg A (0.5) + 2000 kg B (0.2) + 400 = 1800 over M's 4000 kg = 0.45/kg.
    // T2: 3000 kg M (0.45) + 1000 kg B (0.2) + 300 = 1350 + 200 + 300 = 1850 over D's 3000 kg.
    // serra-verde reaches D through M (400 × 3000/4000 = 300) and directly (1000 × 1000/5000 = 200): 500.
    const carbon = fold([
      ...PARTIES,
      mined('A', 5_000, 2_500),
      mined('B', 5_000, 1_000),
      ...transformation(
        'T1',
        [
          ['A', 2_000],
          ['B', 2_000],
        ],
        [['M', 4_000, 1]],
        400,
      ),
      ...transformation(
        'T2',
        [
          ['M', 3_000],
          ['B', 1_000],
        ],
        [['D', 3_000, 1]],
        300,
      ),
    ]);

    const view = carbon('D');
    expectClose(carbon('M').intensityKgCo2ePerKg, 0.45);
    expectClose(view.embodiedKgCo2e, 1850);
    expectClose(view.intensityKgCo2ePerKg, 1850 / 3000);
    expect(view.breakdown.map((entry) => [entry.transformationId, entry.facilityId])).toEqual([
      [null, 'mt-weld'],
      [null, 'serra-verde'],
      ['T1', 'kuantan'],
      ['T2', 'kuantan'],
    ]);
    [750, 500, 300, 300].forEach((kg, i) => expectClose(view.breakdown[i]!.kgCo2e, kg));
    expectClose(sumOf(view), view.embodiedKgCo2e);
  });

  it('weights primary data by consumed mass, merging two batches of one mine into one extraction entry', () => {
    // A reported (0.5/kg), C from the same mine did not: 3000 kg of A and 1000 kg of C → 3/4 primary.
    const carbon = fold([
      ...PARTIES,
      mined('A', 10_000, 5_000),
      mined('C', 1_000),
      ...transformation(
        'T1',
        [
          ['A', 3_000],
          ['C', 1_000],
        ],
        [['M', 3_000, 1]],
        0,
      ),
    ]);

    expect(carbon('M').primaryDataShare).toBe(0.75);
    expect(carbon('M').breakdown).toEqual([
      { transformationId: null, process: 'extraction', facilityId: 'mt-weld', kgCo2e: 1500 },
      { transformationId: 'T1', process: 'solvent_extraction', facilityId: 'kuantan', kgCo2e: 0 },
    ]);
  });

  it('starts the reference period at the earliest instant of the history, whatever the offsets', () => {
    // B's date sorts first as text but is the later instant: 2026-03-01T01:00Z against A's 00:00Z.
    const carbon = fold([
      ...PARTIES,
      mined('A', 1_000, 10, '2026-03-01T08:00:00+08:00'),
      mined('B', 1_000, 10, '2026-02-28T20:00:00-05:00'),
      ...transformation(
        'T1',
        [
          ['A', 500],
          ['B', 500],
        ],
        [['M', 900, 1]],
        0,
      ),
    ]);

    expect(carbon('B').referencePeriodStart).toBe('2026-03-01T01:00:00.000Z');
    expect(carbon('M').referencePeriodStart).toBe('2026-03-01T00:00:00.000Z');
    expect(carbon('M').occurredAt).toBe('2026-03-20T10:00:00+08:00');
  });

  it('ignores transit, refining and everything after the batch came into being', () => {
    const received: LedgerEvent = {
      type: 'BatchReceived',
      data: {
        batchId: 'A',
        shipmentId: 'S',
        orgId: 'refco',
        facilityId: 'kuantan',
        receivedMassGrams: 900_000,
        discrepancyGrams: 100_000,
        occurredAt: '2026-03-05T00:00:00Z',
      },
    };
    const [recorded, refined] = transformation('T1', [['A', 100]], [['M', 90, 1]], 0);

    expect(carbonProjection.keyOf(received)).toBeUndefined();
    expect(carbonProjection.keyOf(recorded!)).toBeUndefined();
    expect(carbonProjection.keyOf(refined!)).toBeUndefined();
    expect(carbonProjection.keyOf(PARTIES[0]!)).toBeUndefined();
  });

  it('refuses a produced batch whose input has no carbon view', () => {
    const [recorded, , produced] = transformation('T1', [['A', 100]], [['M', 90, 1]], 0);

    expect(() => fold([recorded!, produced!])).toThrow('Batch M names input A, which has no carbon view');
  });
});
