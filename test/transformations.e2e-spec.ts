import { pactProductFootprintValidator } from '@tracelode/testing';
import { expectRefusal } from './support/expect-refusal';
import { ADMIN_TOKEN, LedgerHarness, minedBatch, shipment, standardParties } from './support/ledger-harness';

/*
 * THE WORKED EXAMPLE — every expected figure below is computed by hand here, step by step.
 *
 * Mines (two countries) and their batches, with extraction emissions as reported at mining:
 *   A1  mt-weld (mineco, AU)     10,000 kg  5,000 kg CO2e   → 5000/10000 = 0.5 kg CO2e/kg, primary data
 *   A2  mt-weld (mineco, AU)      2,000 kg  not reported    → 0 kg CO2e/kg, not primary data
 *   B1  serra-verde (serra, BR)   8,000 kg  2,400 kg CO2e   → 2400/8000 = 0.3 kg CO2e/kg, primary data
 * All three are shipped to refco's kuantan plant (MY). B1 arrives 100 kg short (7,900 kg received): a
 * shortfall loses kilograms, not intensity, so B1 stays at 0.3 kg CO2e/kg and 2,400 kg CO2e for its 8,000 kg.
 *
 * T1 — cracking_leaching at kuantan, mass allocation, one output (share 1), process emissions 3,000:
 *   consumes A1 6,000 kg (partial: 4,000 left), A2 2,000 kg (all of it), B1 4,000 kg (partial: 3,900 left)
 *   Σ consumed = 12,000 kg → MC-1 9,000 kg (+ 2,500 kg tailings, 500 kg unaccounted loss)
 *   origins:   A1 6000/12000 = 1/2,  A2 2000/12000 = 1/6,  B1 4000/12000 = 1/3
 *   upstream = 6000×0.5 + 2000×0 + 4000×0.3 = 3000 + 0 + 1200 = 4,200 kg CO2e
 *   embodied = (4200 + 3000) × 1 = 7,200;  intensity = 7200 / 9000 = 0.8 kg CO2e/kg
 *   breakdown: extraction mt-weld = A1 5000 × 6000/10000 + A2 0 × 2000/2000 = 3,000 (one entry: same mine)
 *              extraction serra-verde = 2400 × 4000/8000 = 1,200;  T1 kuantan = 3000 × 1 = 3,000
 *              sum 3000 + 1200 + 3000 = 7,200 ✓
 *   primaryDataShare = 1/2 (A1) + 1/3 (B1) = 5/6;  depth 1
 *
 * T2 — solvent_extraction at kuantan, ECONOMIC allocation NDPR-OX-1 0.8 / LACE-1 0.2, process 6,000:
 *   consumes MC-1 6,000 kg (partial: 3,000 left) and B1 1,000 kg (again: 2,900 left) — a diamond, B1 is
 *   reached directly and through MC-1.  Σ consumed = 7,000 kg
 *   → NDPR-OX-1 1,500 kg and LACE-1 3,500 kg (+ 1,500 kg raffinate, 500 kg loss)
 *   origins (both outputs): weights MC-1 6/7, B1 1/7
 *     A1 = 6/7 × 1/2 = 3/7;  A2 = 6/7 × 1/6 = 1/7;  B1 = 6/7 × 1/3 + 1/7 = 2/7 + 1/7 = 3/7   (Σ = 1)
 *   upstream = 6000 × 0.8 + 1000 × 0.3 = 4800 + 300 = 5,100;  + process 6,000 = 11,100 kg CO2e
 *   NDPR-OX-1: embodied = 11100 × 0.8 = 8,880;  intensity = 8880 / 1500 = 5.92
 *   LACE-1:    embodied = 11100 × 0.2 = 2,220;  intensity = 2220 / 3500 = 0.634285714285714… (= 111/175)
 *   breakdown NDPR-OX-1 — MC-1's entries × (6000/9000) × 0.8 = × 8/15, B1's × (1000/8000) × 0.8 = × 0.1:
 *     mt-weld 3000 × 8/15 = 1,600;  serra-verde 1200 × 8/15 + 2400 × 0.1 = 640 + 240 = 880 (merged)
 *     T1 kuantan 3000 × 8/15 = 1,600;  T2 kuantan 6000 × 0.8 = 4,800;  sum 1600+880+1600+4800 = 8,880 ✓
 *   breakdown LACE-1 — MC-1's × (6000/9000) × 0.2 = × 2/15, B1's × (1000/8000) × 0.2 = × 0.025:
 *     mt-weld 400;  serra-verde 160 + 60 = 220;  T1 400;  T2 6000 × 0.2 = 1,200;  sum 2,220 ✓
 *   primaryDataShare = 3/7 (A1) + 3/7 (B1) = 6/7 (= 6/7 × 5/6 + 1/7 × 1);  depth 1 + max(1, 0) = 2
 *
 * NDPR-OX-1 is shipped to metco's hai-phong plant (VN) and received in full.
 *
 * T3 — electrolysis at hai-phong, MASS allocation, process emissions 3,096:
 *   consumes NDPR-OX-1 1,200 kg (partial: 300 left) → METAL-1 680 kg, METAL-2 340 kg (180 kg loss)
 *   shares 680/1020 = 2/3 and 340/1020 = 1/3
 *   upstream = 1200 × 5.92 = 7,104;  + 3,096 = 10,200 kg CO2e
 *   METAL-1: embodied = 10200 × 2/3 = 6,800;  intensity = 6800 / 680 = 10
 *   METAL-2: embodied = 10200 × 1/3 = 3,400;  intensity = 3400 / 340 = 10 (mass allocation: same intensity)
 *   origins = NDPR-OX-1's: A1 3/7, A2 1/7, B1 3/7;  primaryDataShare 6/7;  depth 3
 *   breakdown METAL-1 — NDPR-OX-1's entries × (1200/1500) × 2/3 = × 8/15:
 *     mt-weld 1600 × 8/15 = 2560/3 = 853.33…;  serra-verde 880 × 8/15 = 1408/3 = 469.33…
 *     T1 1600 × 8/15 = 2560/3;  T2 4800 × 8/15 = 2,560;  T3 3096 × 2/3 = 2,064
 *     sum (2560 + 1408 + 2560)/3 + 2560 + 2064 = 2176 + 4624 = 6,800 ✓
 *   breakdown METAL-2 — × (1200/1500) × 1/3 = × 4/15:
 *     mt-weld 1280/3;  serra-verde 704/3;  T1 1280/3;  T2 1,280;  T3 3096 × 1/3 = 1,032;  sum 3,400 ✓
 *
 * Every figure is asserted to 1e-9 relative.
 */

const close = (actual: number, expected: number) =>
  Math.abs(actual - expected) <= Math.max(Math.abs(expected) * 1e-9, 1e-12);

/** Asserts each number of `actual` to 1e-9 relative of `expected`, everything else exactly. */
function expectClose(actual: unknown, expected: unknown, path = '$'): void {
  if (typeof expected === 'number') {
    if (typeof actual !== 'number' || !close(actual, expected))
      throw new Error(`${path}: expected ${expected} (±1e-9 relative), got ${String(actual)}`);
    return;
  }
  if (Array.isArray(expected)) {
    if (!Array.isArray(actual) || actual.length !== expected.length)
      throw new Error(`${path}: expected ${expected.length} items, got ${JSON.stringify(actual)}`);
    expected.forEach((item, i) => expectClose(actual[i], item, `${path}[${i}]`));
    return;
  }
  if (expected !== null && typeof expected === 'object') {
    const keys = (value: object) => JSON.stringify(Object.keys(value).sort());
    if (actual === null || typeof actual !== 'object' || keys(actual) !== keys(expected))
      throw new Error(`${path}: expected the fields ${keys(expected)}, got ${JSON.stringify(actual)}`);
    for (const [key, value] of Object.entries(expected))
      expectClose((actual as Record<string, unknown>)[key], value, `${path}.${key}`);
    return;
  }
  if (actual !== expected) throw new Error(`${path}: expected ${String(expected)}, got ${String(actual)}`);
}

type Breakdown = { transformationId: string | null; process: string; facilityId: string; kgCo2e: number }[];
type Carbon = {
  batchId: string;
  embodiedKgCo2e: number;
  intensityKgCo2ePerKg: number;
  primaryDataShare: number;
  breakdown: Breakdown;
};

const ORIGIN = {
  A1: { batchId: 'A1', facilityId: 'mt-weld', orgId: 'mineco', country: 'AU' },
  A2: { batchId: 'A2', facilityId: 'mt-weld', orgId: 'mineco', country: 'AU' },
  B1: { batchId: 'B1', facilityId: 'serra-verde', orgId: 'serra', country: 'BR' },
};
const extraction = (facilityId: string, kgCo2e: number) => ({
  transformationId: null,
  process: 'extraction',
  facilityId,
  kgCo2e,
});
const step = (transformationId: string, process: string, facilityId: string, kgCo2e: number) => ({
  transformationId,
  process,
  facilityId,
  kgCo2e,
});

describe('transformations: provenance, carbon and the PACT footprint, worked by hand', () => {
  let ledger: LedgerHarness;
  let parties: Awaited<ReturnType<typeof standardParties>>;
  let serra: string;
  let metco: string;
  let head = '0';

  const ok = async <T = Record<string, unknown>>(path: string, token: string, body: unknown) => {
    const reply = await ledger.post<T & { position: string }>(path, token, body);
    if (reply.status !== 201) throw new Error(`${path}: ${reply.status} ${JSON.stringify(reply.body)}`);
    head = reply.body.position;
    return reply.body;
  };
  const view = async <T>(path: string) => {
    // The operator reads every lot of the worked example whole (docs/visibility.md).
    const reply = await ledger.get<T>(
      `${path}${path.includes('?') ? '&' : '?'}minPosition=${head}`,
      ADMIN_TOKEN,
    );
    expect({ path, status: reply.status }).toEqual({ path, status: 200 });
    return reply.body;
  };

  beforeAll(async () => {
    ledger = await LedgerHarness.start();
    parties = await standardParties(ledger);
    serra = await ledger.organisation(
      'serra',
      'BR',
      ['producer'],
      [{ facilityId: 'serra-verde', kind: 'mine' }],
    );
    metco = await ledger.organisation(
      'metco',
      'VN',
      ['producer'],
      [{ facilityId: 'hai-phong', kind: 'processing_plant' }],
    );

    await ok('/batches/mined', parties.miner, {
      ...minedBatch('A1', 10_000),
      extractionEmissionsKgCo2e: 5_000,
    });
    await ok('/batches/mined', parties.miner, minedBatch('A2', 2_000));
    await ok('/batches/mined', serra, {
      ...minedBatch('B1', 8_000),
      facilityId: 'serra-verde',
      extractionEmissionsKgCo2e: 2_400,
      occurredAt: '2026-02-20T09:00:00-03:00',
    });
    for (const [batchId, token, receivedMassKg] of [
      ['A1', parties.miner, 10_000],
      ['A2', parties.miner, 2_000],
      ['B1', serra, 7_900],
    ] as const) {
      await ok(`/batches/${batchId}/shipments`, token, shipment(`S-${batchId}`));
      await ok(`/batches/${batchId}/receipts`, parties.refiner, {
        shipmentId: `S-${batchId}`,
        receivedMassKg,
        occurredAt: '2026-03-19T14:00:00+08:00',
      });
    }

    await ok('/transformations', parties.refiner, {
      transformationId: 'T1',
      facilityId: 'kuantan',
      process: 'cracking_leaching',
      occurredAt: '2026-03-25T08:00:00+08:00',
      inputs: [
        { batchId: 'A1', consumedKg: 6_000 },
        { batchId: 'A2', consumedKg: 2_000 },
        { batchId: 'B1', consumedKg: 4_000 },
      ],
      outputs: [
        {
          batchId: 'MC-1',
          material: { form: 'mixed_compound', elements: ['Nd', 'Pr', 'La', 'Ce'] },
          massKg: 9_000,
        },
      ],
      residues: [{ kind: 'tailings', massKg: 2_500 }],
      processEmissionsKgCo2e: 3_000,
    });
    await ok('/transformations', parties.refiner, {
      transformationId: 'T2',
      facilityId: 'kuantan',
      process: 'solvent_extraction',
      occurredAt: '2026-04-02T08:00:00+08:00',
      inputs: [
        { batchId: 'MC-1', consumedKg: 6_000 },
        { batchId: 'B1', consumedKg: 1_000 },
      ],
      outputs: [
        { batchId: 'NDPR-OX-1', material: { form: 'oxide', elements: ['Nd', 'Pr'] }, massKg: 1_500 },
        { batchId: 'LACE-1', material: { form: 'mixed_compound', elements: ['La', 'Ce'] }, massKg: 3_500 },
      ],
      residues: [{ kind: 'raffinate', massKg: 1_500 }],
      processEmissionsKgCo2e: 6_000,
      allocation: { method: 'economic', keys: { 'NDPR-OX-1': 0.8, 'LACE-1': 0.2 } },
    });
    await ok('/batches/NDPR-OX-1/shipments', parties.refiner, {
      ...shipment('S-NDPR'),
      toOrgId: 'metco',
      toFacilityId: 'hai-phong',
      occurredAt: '2026-04-05T08:00:00+08:00',
    });
    await ok('/batches/NDPR-OX-1/receipts', metco, {
      shipmentId: 'S-NDPR',
      receivedMassKg: 1_500,
      occurredAt: '2026-04-12T10:00:00+07:00',
    });
    await ok('/transformations', metco, {
      transformationId: 'T3',
      facilityId: 'hai-phong',
      process: 'electrolysis',
      occurredAt: '2026-04-20T09:00:00+07:00',
      inputs: [{ batchId: 'NDPR-OX-1', consumedKg: 1_200 }],
      outputs: [
        { batchId: 'METAL-1', material: { form: 'metal', elements: ['Nd', 'Pr'] }, massKg: 680 },
        { batchId: 'METAL-2', material: { form: 'metal', elements: ['Nd', 'Pr'] }, massKg: 340 },
      ],
      processEmissionsKgCo2e: 3_096,
    });
  });
  afterAll(() => ledger.stop());

  it('leaves partially consumed inputs in custody with what is left', async () => {
    const remaining = async (batchId: string) =>
      (await view<{ remainingMassKg: number; status: string }>(`/batches/${batchId}`)).remainingMassKg;

    expect(await remaining('A1')).toBe(4_000);
    expect(await remaining('B1')).toBe(2_900);
    expect(await remaining('MC-1')).toBe(3_000);
    expect(await remaining('NDPR-OX-1')).toBe(300);
    expect(await view(`/batches/A2`)).toMatchObject({ status: 'consumed', remainingMassKg: 0 });
  });

  it('traces the origins of every step by consumed mass', async () => {
    expectClose(await view('/batches/A1/provenance'), {
      batchId: 'A1',
      parents: [],
      children: [{ batchId: 'MC-1', transformationId: 'T1' }],
      depth: 0,
      origins: [{ ...ORIGIN.A1, massFraction: 1 }],
    });
    expectClose(await view('/batches/MC-1/provenance'), {
      batchId: 'MC-1',
      parents: [
        { batchId: 'A1', consumedKg: 6_000, transformationId: 'T1' },
        { batchId: 'A2', consumedKg: 2_000, transformationId: 'T1' },
        { batchId: 'B1', consumedKg: 4_000, transformationId: 'T1' },
      ],
      children: [
        { batchId: 'NDPR-OX-1', transformationId: 'T2' },
        { batchId: 'LACE-1', transformationId: 'T2' },
      ],
      depth: 1,
      origins: [
        { ...ORIGIN.A1, massFraction: 1 / 2 },
        { ...ORIGIN.A2, massFraction: 1 / 6 },
        { ...ORIGIN.B1, massFraction: 1 / 3 },
      ],
    });
    const t2Origins = [
      { ...ORIGIN.A1, massFraction: 3 / 7 },
      { ...ORIGIN.A2, massFraction: 1 / 7 },
      { ...ORIGIN.B1, massFraction: 3 / 7 },
    ];
    expectClose(await view('/batches/NDPR-OX-1/provenance'), {
      batchId: 'NDPR-OX-1',
      parents: [
        { batchId: 'MC-1', consumedKg: 6_000, transformationId: 'T2' },
        { batchId: 'B1', consumedKg: 1_000, transformationId: 'T2' },
      ],
      children: [
        { batchId: 'METAL-1', transformationId: 'T3' },
        { batchId: 'METAL-2', transformationId: 'T3' },
      ],
      depth: 2,
      origins: t2Origins,
    });
    expectClose((await view<{ origins: unknown }>('/batches/LACE-1/provenance')).origins, t2Origins);
    for (const batchId of ['METAL-1', 'METAL-2']) {
      expectClose(await view(`/batches/${batchId}/provenance`), {
        batchId,
        parents: [{ batchId: 'NDPR-OX-1', consumedKg: 1_200, transformationId: 'T3' }],
        children: [],
        depth: 3,
        origins: t2Origins,
      });
    }
  });

  it('traces what a lot ended up in, each batch once, through the diamond', async () => {
    expect(await view('/batches/B1/provenance?direction=descendants')).toEqual({
      batchId: 'B1',
      direction: 'descendants',
      descendants: [
        { batchId: 'MC-1', depth: 1, viaTransformationId: 'T1' },
        { batchId: 'NDPR-OX-1', depth: 1, viaTransformationId: 'T2' },
        { batchId: 'LACE-1', depth: 1, viaTransformationId: 'T2' },
        { batchId: 'METAL-1', depth: 2, viaTransformationId: 'T3' },
        { batchId: 'METAL-2', depth: 2, viaTransformationId: 'T3' },
      ],
    });
    expect(await view('/batches/METAL-2/provenance?direction=descendants')).toEqual({
      batchId: 'METAL-2',
      direction: 'descendants',
      descendants: [],
    });
  });

  it('carries carbon through every step, to 1e-9, with a breakdown that sums to the embodied total', async () => {
    const expected: Record<string, Omit<Carbon, 'batchId'>> = {
      A1: {
        embodiedKgCo2e: 5_000,
        intensityKgCo2ePerKg: 0.5,
        primaryDataShare: 1,
        breakdown: [extraction('mt-weld', 5_000)],
      },
      A2: {
        embodiedKgCo2e: 0,
        intensityKgCo2ePerKg: 0,
        primaryDataShare: 0,
        breakdown: [extraction('mt-weld', 0)],
      },
      // Received 100 kg short: the intensity and the embodied carbon of the 8,000 kg mined are unchanged.
      B1: {
        embodiedKgCo2e: 2_400,
        intensityKgCo2ePerKg: 0.3,
        primaryDataShare: 1,
        breakdown: [extraction('serra-verde', 2_400)],
      },
      'MC-1': {
        embodiedKgCo2e: 7_200,
        intensityKgCo2ePerKg: 0.8,
        primaryDataShare: 5 / 6,
        breakdown: [
          extraction('mt-weld', 3_000),
          extraction('serra-verde', 1_200),
          step('T1', 'cracking_leaching', 'kuantan', 3_000),
        ],
      },
      'NDPR-OX-1': {
        embodiedKgCo2e: 8_880,
        intensityKgCo2ePerKg: 5.92,
        primaryDataShare: 6 / 7,
        breakdown: [
          extraction('mt-weld', 1_600),
          extraction('serra-verde', 880),
          step('T1', 'cracking_leaching', 'kuantan', 1_600),
          step('T2', 'solvent_extraction', 'kuantan', 4_800),
        ],
      },
      'LACE-1': {
        embodiedKgCo2e: 2_220,
        intensityKgCo2ePerKg: 111 / 175,
        primaryDataShare: 6 / 7,
        breakdown: [
          extraction('mt-weld', 400),
          extraction('serra-verde', 220),
          step('T1', 'cracking_leaching', 'kuantan', 400),
          step('T2', 'solvent_extraction', 'kuantan', 1_200),
        ],
      },
      'METAL-1': {
        embodiedKgCo2e: 6_800,
        intensityKgCo2ePerKg: 10,
        primaryDataShare: 6 / 7,
        breakdown: [
          extraction('mt-weld', 2560 / 3),
          extraction('serra-verde', 1408 / 3),
          step('T1', 'cracking_leaching', 'kuantan', 2560 / 3),
          step('T2', 'solvent_extraction', 'kuantan', 2_560),
          step('T3', 'electrolysis', 'hai-phong', 2_064),
        ],
      },
      'METAL-2': {
        embodiedKgCo2e: 3_400,
        intensityKgCo2ePerKg: 10,
        primaryDataShare: 6 / 7,
        breakdown: [
          extraction('mt-weld', 1280 / 3),
          extraction('serra-verde', 704 / 3),
          step('T1', 'cracking_leaching', 'kuantan', 1280 / 3),
          step('T2', 'solvent_extraction', 'kuantan', 1_280),
          step('T3', 'electrolysis', 'hai-phong', 1_032),
        ],
      },
    };

    for (const [batchId, carbon] of Object.entries(expected)) {
      const actual = await view<Carbon>(`/batches/${batchId}/carbon`);
      expectClose(actual, { batchId, ...carbon });
      const sum = actual.breakdown.reduce((total, entry) => total + entry.kgCo2e, 0);
      expectClose(sum, actual.embodiedKgCo2e, `${batchId}: Σ breakdown`);
    }
    // Economic allocation conserves T2's total: 8,880 + 2,220 = 5,100 upstream + 6,000 process.
    const [ndpr, lace] = await Promise.all(
      ['NDPR-OX-1', 'LACE-1'].map((id) => view<Carbon>(`/batches/${id}/carbon`)),
    );
    expectClose(ndpr!.embodiedKgCo2e + lace!.embodiedKgCo2e, 11_100);
  });

  it('exports a PACT v3 ProductFootprint per kilogram that validates against the PACT schema', async () => {
    const validate = pactProductFootprintValidator();
    const footprint = await view<Record<string, unknown> & { pcf: Record<string, unknown> }>(
      '/batches/METAL-1/footprint',
    );

    expect(validate(footprint) ? 'valid' : validate.errors).toBe('valid');
    expect(footprint).toMatchObject({
      id: expect.stringMatching(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/),
      specVersion: '3.0.3',
      status: 'Active',
      companyName: 'metco Ltd',
      companyIds: ['urn:pact:tracelode:company-id:metco'],
      productIds: ['urn:pact:tracelode:product-id:METAL-1'],
      productNameCompany: 'metal (Nd, Pr)',
    });
    expect(footprint.pcf).toMatchObject({
      declaredUnitOfMeasurement: 'kilogram',
      declaredUnitAmount: '1',
      productMassPerDeclaredUnit: '1',
      geographyCountry: 'VN',
      pcfExcludingBiogenicUptake: expect.stringMatching(/^\d+(\.\d+)?$/),
      referencePeriodStart: '2026-02-20T12:00:00.000Z',
      referencePeriodEnd: '2026-04-20T02:00:00.000Z',
    });
    expectClose(Number(footprint.pcf.pcfExcludingBiogenicUptake), 10);
    expectClose(Number(footprint.pcf.primaryDataShare), 600 / 7);

    // The same view gives the same document; another batch, another id.
    expect(await view('/batches/METAL-1/footprint')).toEqual(footprint);
    const other = await view<{ id: string }>('/batches/LACE-1/footprint');
    expect(validate(other)).toBe(true);
    expect(other.id).not.toBe(footprint.id);
  });

  it('answers 404 for an unknown batch, 400 for another direction and 401 without a key', async () => {
    for (const path of ['provenance', 'carbon', 'footprint']) {
      await expectRefusal(
        await ledger.get(`/batches/NOPE-1/${path}`, parties.certifier),
        404,
        'BATCH_NOT_FOUND',
      );

      const anonymous = await ledger.request('GET', `/batches/METAL-1/${path}`);
      expect(anonymous.status).toBe(401);
    }
    await expectRefusal(
      await ledger.get('/batches/METAL-1/provenance?direction=sideways', parties.regulator),
      400,
      'INVALID_DIRECTION',
    );
    await expectRefusal(
      await ledger.get('/batches/METAL-1/carbon?minPosition=soon', parties.regulator),
      400,
      'INVALID_POSITION',
    );
  });
});
