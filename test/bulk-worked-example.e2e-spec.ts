import { type AuditBundle, verifyAuditBundle } from '@tracelode/evidence';
import { expectRefusal } from './support/expect-refusal';
import { ADMIN_TOKEN, LedgerHarness } from './support/ledger-harness';

/*
 * THE BULK WORKED EXAMPLE — every expected figure is computed by hand here.
 *
 * Parties: mineco (AU, mine mt-weld), serra (BR, mine serra-verde), refco (MY, plant kuantan); irma-audit
 * certifies (IRMA) the organisations mineco and refco from 1 January, and serra only from 5 March.
 *
 *   A     mineco mines 25,000 kg at mt-weld on 1 March, 10,000 kg CO2e   → 0.4 kg CO2e/kg
 *   B     serra mines 5,000 kg at serra-verde on 1 March, 1,500 kg CO2e  → 0.3 kg CO2e/kg
 *   split A (2 March) into A-10 10,000 kg, A-8 8,000 kg, A-7 7,000 kg (A: 0 left, consumed)
 *   A-8 is shipped whole to refco (3 March); 3,000 kg of A-10 are shipped to refco as A-10-P (A-10 keeps 7,000)
 *   A-7 is shipped to serra's mine and received there in full (8 March)
 *   serra blends A-7 7,000 kg + B 5,000 kg → BLEND-1 12,000 kg (12 March), ships it to refco (received 18 March)
 *   refco refines BLEND-1: T-1 cracking_leaching, 12,000 kg → OX-1 6,000 kg oxide (+ 5,000 kg tailings,
 *   1,000 kg lost), process emissions 1,200 kg CO2e, one output (share 1)
 *
 * Before any correction:
 *   A-8:     origins A 1; 8,000 × 0.4 = 3,200 kg CO2e, 0.4/kg; IRMA segregated, share 1
 *   A-10-P:  origins A 1; 3,000 × 0.4 = 1,200 kg CO2e, 0.4/kg; IRMA segregated, share 1
 *   BLEND-1: origins A 7000/12000 = 7/12, B 5/12
 *            carbon 7,000 × 0.4 + 5,000 × 0.3 = 2,800 + 1,500 = 4,300 kg CO2e; 4300/12000 = 43/120 per kg
 *            IRMA: B's mining (1 March) precedes serra's certificate (5 March): a gap, so mass balance;
 *            A-7's path (split off, shipped, received 8 March, blended 12 March) is covered:
 *            share = 7/12 × 1 + 5/12 × 0 = 7/12
 *   OX-1:    origins A 7/12, B 5/12; (4,300 + 1,200) × 1 = 5,500 kg CO2e; 5500/6000 = 11/12 per kg;
 *            breakdown extraction mt-weld 2,800, extraction serra-verde 1,500, T-1 kuantan 1,200;
 *            IRMA mass balance, share 7/12
 *
 * Correction 1 — B's extraction emissions 1,500 → 2,000 kg CO2e:  B 2000/5000 = 0.4 per kg
 *   BLEND-1: 2,800 + 5,000 × 0.4 = 4,800 kg CO2e; 4800/12000 = 0.4 per kg
 *   OX-1:    4,800 + 1,200 = 6,000 kg CO2e; 6000/6000 = 1 per kg; breakdown 2,800 / 2,000 / 1,200
 * Correction 2 — B's mined mass 5,000 → 5,500 kg (upwards): B 2000/5500 = 4/11 per kg, 500 kg left in custody
 *   BLEND-1: 2,800 + 5,000 × 4/11 = 50,800/11 kg CO2e; ÷ 12,000 = 127/330 per kg; serra-verde 20,000/11
 *   OX-1:    50,800/11 + 1,200 = 64,000/11 kg CO2e; ÷ 6,000 = 32/33 per kg
 * Origin shares and certified shares do not move: the blend consumed what it consumed (5,000 kg of B).
 * A correction of A's mass to 24,999 kg is refused: 25,000 kg were split off it.
 */
describe('the bulk worked example: splits, partial shipments, a blend, corrections', () => {
  let ledger: LedgerHarness;
  let mineco: string;
  let serra: string;
  let refco: string;
  let certifier: string;

  const ok = async (path: string, token: string, body: unknown) => {
    const reply = await ledger.post<{ position: string }>(path, token, body);
    if (reply.status !== 201) throw new Error(`${path}: ${reply.status} ${JSON.stringify(reply.body)}`);
    return reply.body;
  };
  const view = async <T>(path: string): Promise<T> => {
    const head = await ledger.eventCount();
    // Read as the operator: every lot of the example whole (who sees what is test/visibility.e2e-spec.ts).
    const reply = await ledger.get<T>(
      `${path}${path.includes('?') ? '&' : '?'}minPosition=${head}`,
      ADMIN_TOKEN,
    );
    expect(reply.status).toBe(200);
    return reply.body;
  };
  const eventOf = async (batchId: string, type: string): Promise<string> => {
    const events = await ledger.get<{ type: string; eventId: string }[]>(
      `/batches/${batchId}/events`,
      ADMIN_TOKEN,
    );
    return events.body.find((event) => event.type === type)!.eventId;
  };
  const ship = (
    batchId: string,
    shipmentId: string,
    to: [string, string],
    occurredAt: string,
    extra = {},
  ) => ({
    shipmentId,
    toOrgId: to[0],
    toFacilityId: to[1],
    occurredAt,
    documents: [{ type: 'bill_of_lading', number: shipmentId }],
    ...extra,
  });
  const certificate = (certificateId: string, orgId: string, validFrom: string) => ({
    certificateId,
    scheme: 'IRMA',
    subject: { type: 'organisation', id: orgId },
    validFrom,
    validUntil: '2099-01-01T00:00:00Z',
    evidence: { sha256: 'a'.repeat(64), uri: 'https://audits.example/irma.pdf' },
    occurredAt: '2026-01-01T00:00:00Z',
  });

  type Carbon = {
    embodiedKgCo2e: number;
    intensityKgCo2ePerKg: number;
    primaryDataShare: number;
    breakdown: { facilityId: string; kgCo2e: number; transformationId: string | null }[];
  };
  type Scheme = {
    scheme: string;
    chainOfCustodyModel: string;
    certifiedShare: number;
    chainCovered: boolean;
  };
  const carbon = (batchId: string, query = '') => view<Carbon>(`/batches/${batchId}/carbon${query}`);
  const origins = async (batchId: string) =>
    Object.fromEntries(
      (
        await view<{ origins: { batchId: string; massFraction: number }[] }>(`/batches/${batchId}/provenance`)
      ).origins.map((origin) => [origin.batchId, origin.massFraction]),
    );
  const irma = async (batchId: string) =>
    (await view<{ schemes: Scheme[] }>(`/batches/${batchId}/certification`)).schemes.find(
      (scheme) => scheme.scheme === 'IRMA',
    )!;
  const expectCarbon = (
    actual: Carbon,
    embodied: number,
    intensity: number,
    breakdown: Record<string, number>,
  ) => {
    expect(actual.embodiedKgCo2e).toBeCloseTo(embodied, 9);
    expect(actual.intensityKgCo2ePerKg).toBeCloseTo(intensity, 12);
    expect(actual.primaryDataShare).toBe(1);
    const byStep = Object.fromEntries(
      actual.breakdown.map((entry) => [entry.transformationId ?? entry.facilityId, entry.kgCo2e]),
    );
    expect(Object.keys(byStep).sort()).toEqual(Object.keys(breakdown).sort());
    for (const [step, kgCo2e] of Object.entries(breakdown)) expect(byStep[step]).toBeCloseTo(kgCo2e, 9);
  };
  let beforeCorrections: string;

  beforeAll(async () => {
    ledger = await LedgerHarness.start();
    mineco = await ledger.organisation(
      'mineco',
      'AU',
      ['producer'],
      [{ facilityId: 'mt-weld', kind: 'mine' }],
    );
    serra = await ledger.organisation(
      'serra',
      'BR',
      ['producer'],
      [{ facilityId: 'serra-verde', kind: 'mine' }],
    );
    refco = await ledger.organisation(
      'refco',
      'MY',
      ['producer'],
      [{ facilityId: 'kuantan', kind: 'processing_plant' }],
    );
    certifier = await ledger.organisation('irma-audit', 'DE', ['certifier']);
    await ok('/certificates', certifier, certificate('C-MINECO', 'mineco', '2026-01-01T00:00:00Z'));
    await ok('/certificates', certifier, certificate('C-REFCO', 'refco', '2026-01-01T00:00:00Z'));
    await ok('/certificates', certifier, certificate('C-SERRA', 'serra', '2026-03-05T00:00:00Z'));

    const mined = (batchId: string, facilityId: string, massKg: number, emissions: number) => ({
      batchId,
      facilityId,
      material: { form: 'concentrate', elements: ['Nd', 'Pr'] },
      massKg,
      extractionEmissionsKgCo2e: emissions,
      occurredAt: '2026-03-01T08:00:00Z',
    });
    await ok('/batches/mined', mineco, mined('A', 'mt-weld', 25000, 10000));
    await ok('/batches/mined', serra, mined('B', 'serra-verde', 5000, 1500));
    await ok('/batches/A/splits', mineco, {
      splitId: 'SPLIT-A',
      outputs: [
        { batchId: 'A-10', massKg: 10000 },
        { batchId: 'A-8', massKg: 8000 },
        { batchId: 'A-7', massKg: 7000 },
      ],
      occurredAt: '2026-03-02T08:00:00Z',
    });
    await ok(
      '/batches/A-8/shipments',
      mineco,
      ship('A-8', 'SHP-8', ['refco', 'kuantan'], '2026-03-03T08:00:00Z'),
    );
    await ok(
      '/batches/A-10/shipments',
      mineco,
      ship('A-10', 'SHP-3', ['refco', 'kuantan'], '2026-03-03T09:00:00Z', {
        massKg: 3000,
        shippedBatchId: 'A-10-P',
      }),
    );
    await ok(
      '/batches/A-7/shipments',
      mineco,
      ship('A-7', 'SHP-7', ['serra', 'serra-verde'], '2026-03-03T10:00:00Z'),
    );
    await ok('/batches/A-7/receipts', serra, {
      shipmentId: 'SHP-7',
      receivedMassKg: 7000,
      occurredAt: '2026-03-08T08:00:00Z',
    });
    await ok('/blends', serra, {
      blendId: 'BLEND-A7-B',
      facilityId: 'serra-verde',
      inputs: [
        { batchId: 'A-7', consumedKg: 7000 },
        { batchId: 'B', consumedKg: 5000 },
      ],
      output: { batchId: 'BLEND-1', material: { form: 'concentrate', elements: ['Nd', 'Pr'] } },
      occurredAt: '2026-03-12T08:00:00Z',
    });
    await ok(
      '/batches/BLEND-1/shipments',
      serra,
      ship('BLEND-1', 'SHP-B', ['refco', 'kuantan'], '2026-03-13T08:00:00Z'),
    );
    await ok('/batches/BLEND-1/receipts', refco, {
      shipmentId: 'SHP-B',
      receivedMassKg: 12000,
      occurredAt: '2026-03-18T08:00:00Z',
    });
    await ok('/transformations', refco, {
      transformationId: 'T-1',
      facilityId: 'kuantan',
      process: 'cracking_leaching',
      occurredAt: '2026-03-20T08:00:00Z',
      inputs: [{ batchId: 'BLEND-1', consumedKg: 12000 }],
      outputs: [{ batchId: 'OX-1', material: { form: 'oxide', elements: ['Nd', 'Pr'] }, massKg: 6000 }],
      residues: [{ kind: 'tailings', massKg: 5000 }],
      processEmissionsKgCo2e: 1200,
    });
    await view(`/batches/OX-1`);
    await new Promise((done) => setTimeout(done, 50));
    beforeCorrections = new Date().toISOString();
    await new Promise((done) => setTimeout(done, 50));
  });
  afterAll(() => ledger.stop());

  it('splits, ships part of a lot and blends, as worked out by hand', async () => {
    expect(await view('/batches/A')).toMatchObject({ remainingMassKg: 0, status: 'consumed' });
    expect(await view('/batches/A-10')).toMatchObject({ remainingMassKg: 7000, status: 'in_custody' });
    expect(await view('/batches/A-10-P')).toMatchObject({ massKg: 3000, status: 'in_transit' });
    expect(await view('/batches/BLEND-1')).toMatchObject({ massKg: 12000, status: 'consumed' });
    expect(await view('/batches/B')).toMatchObject({ massKg: 5000, remainingMassKg: 0, status: 'consumed' });

    for (const [batchId, kg] of [
      ['A-8', 8000],
      ['A-10-P', 3000],
    ] as const) {
      expect(await origins(batchId)).toEqual({ A: 1 });
      expectCarbon(await carbon(batchId), kg * 0.4, 0.4, { 'mt-weld': kg * 0.4 });
      expect(await irma(batchId)).toMatchObject({
        chainCovered: true,
        certifiedShare: 1,
        chainOfCustodyModel: 'segregated',
      });
    }
    for (const batchId of ['BLEND-1', 'OX-1']) {
      const mix = await origins(batchId);
      expect(mix.A).toBeCloseTo(7 / 12, 12);
      expect(mix.B).toBeCloseTo(5 / 12, 12);
      const claim = await irma(batchId);
      expect(claim).toMatchObject({ chainCovered: false, chainOfCustodyModel: 'mass_balance' });
      expect(claim.certifiedShare).toBeCloseTo(7 / 12, 12);
    }
    expectCarbon(await carbon('BLEND-1'), 4300, 43 / 120, { 'mt-weld': 2800, 'serra-verde': 1500 });
    expectCarbon(await carbon('OX-1'), 5500, 11 / 12, { 'mt-weld': 2800, 'serra-verde': 1500, 'T-1': 1200 });
  });

  it('corrects the second mine’s emissions, then its mass: every descendant follows, and asOf shows the old', async () => {
    const minedB = await eventOf('B', 'BatchMined');
    await ok(`/events/${minedB}/corrections`, serra, {
      correctionId: 'CORR-B-CO2',
      reason: 'Diesel use of February was left out of the report',
      changes: { extractionEmissionsKgCo2e: 2000 },
    });
    expectCarbon(await carbon('B'), 2000, 0.4, { 'serra-verde': 2000 });
    expectCarbon(await carbon('BLEND-1'), 4800, 0.4, { 'mt-weld': 2800, 'serra-verde': 2000 });
    expectCarbon(await carbon('OX-1'), 6000, 1, { 'mt-weld': 2800, 'serra-verde': 2000, 'T-1': 1200 });

    await ok(`/events/${minedB}/corrections`, serra, {
      correctionId: 'CORR-B-MASS',
      reason: 'Weighbridge mis-calibrated: re-weighed',
      changes: { massKg: 5500 },
    });
    expect(await view('/batches/B')).toMatchObject({
      massKg: 5500,
      remainingMassKg: 500,
      status: 'in_custody',
    });
    expectCarbon(await carbon('B'), 2000, 4 / 11, { 'serra-verde': 2000 });
    expectCarbon(await carbon('BLEND-1'), 50800 / 11, 127 / 330, {
      'mt-weld': 2800,
      'serra-verde': 20000 / 11,
    });
    expectCarbon(await carbon('OX-1'), 64000 / 11, 32 / 33, {
      'mt-weld': 2800,
      'serra-verde': 20000 / 11,
      'T-1': 1200,
    });
    const footprint = await view<{ pcf: { pcfExcludingBiogenicUptake: string } }>('/batches/OX-1/footprint');
    expect(Number(footprint.pcf.pcfExcludingBiogenicUptake)).toBeCloseTo(32 / 33, 12);
    for (const batchId of ['BLEND-1', 'OX-1']) {
      const mix = await origins(batchId);
      expect(mix.A).toBeCloseTo(7 / 12, 12);
      expect(mix.B).toBeCloseTo(5 / 12, 12);
      expect((await irma(batchId)).certifiedShare).toBeCloseTo(7 / 12, 12);
    }

    // The history shows the original, each correction, who, when and why.
    const custody = await view<{
      timeline: { type: string; details: Record<string, unknown>; corrections?: unknown[] }[];
    }>('/batches/B');
    const minedEntry = custody.timeline.find((entry) => entry.type === 'BatchMined')!;
    expect(minedEntry.details).toMatchObject({ massGrams: 5_500_000, extractionEmissionsKgCo2e: 2000 });
    expect(minedEntry.corrections).toEqual([
      expect.objectContaining({
        correctionId: 'CORR-B-CO2',
        byOrgId: 'serra',
        reason: 'Diesel use of February was left out of the report',
        previous: { extractionEmissionsKgCo2e: 1500 },
        corrected: { extractionEmissionsKgCo2e: 2000 },
      }),
      expect.objectContaining({
        correctionId: 'CORR-B-MASS',
        previous: { massGrams: 5_000_000 },
        corrected: { massGrams: 5_500_000 },
      }),
    ]);
    expect(custody.timeline.filter((entry) => entry.type === 'EventCorrected')).toHaveLength(2);

    // As of before the corrections, the views are as they were.
    const asOf = `?asOf=${encodeURIComponent(beforeCorrections)}`;
    expectCarbon(await carbon('OX-1', asOf), 5500, 11 / 12, {
      'mt-weld': 2800,
      'serra-verde': 1500,
      'T-1': 1200,
    });
    expectCarbon(await carbon('BLEND-1', asOf), 4300, 43 / 120, { 'mt-weld': 2800, 'serra-verde': 1500 });
  });

  it('carries the corrections in the audit bundle, and the offline verifier recomputes the corrected views', async () => {
    const reply = await ledger.get<AuditBundle>('/batches/OX-1/audit-bundle', refco);
    expect({ status: reply.status, body: reply.status === 200 ? 'bundle' : reply.body }).toEqual({
      status: 200,
      body: 'bundle',
    });
    expect(reply.body.events.filter((event) => event.type === 'EventCorrected')).toHaveLength(2);
    const verdict = verifyAuditBundle(reply.body);
    expect(verdict.failure).toBeUndefined();
    expect(verdict.ok).toBe(true);
    expect(reply.body.views?.carbon.intensityKgCo2ePerKg).toBeCloseTo(32 / 33, 12);
  });

  it('refuses a correction below what was split off, of another organisation’s event, and a void with dependents', async () => {
    const minedA = await eventOf('A', 'BatchMined');
    const splitA = await eventOf('A', 'BatchSplit');
    const refused = await expectRefusal(
      () =>
        ledger.post(`/events/${minedA}/corrections`, mineco, {
          correctionId: 'CORR-A',
          reason: 'typo',
          changes: { massKg: 24999 },
        }),
      422,
      'CORRECTION_BREAKS_DEPENDENTS',
      ledger,
    );
    expect(refused.body.details).toMatchObject({
      dependentEvents: [{ eventId: splitA, type: 'BatchSplit' }],
    });

    const minedB = await eventOf('B', 'BatchMined');
    await expectRefusal(
      () =>
        ledger.post(`/events/${minedB}/corrections`, refco, {
          correctionId: 'CORR-X',
          reason: 'not ours',
          changes: { massKg: 6000 },
        }),
      403,
      'NOT_RECORDER',
      ledger,
    );

    const receipt = await eventOf('A-7', 'BatchReceived');
    const blended = await eventOf('A-7', 'BatchBlended');
    const voidRefused = await expectRefusal(
      () => ledger.post(`/events/${receipt}/voids`, serra, { voidId: 'VOID-1', reason: 'wrong lot' }),
      409,
      'EVENT_HAS_DEPENDENTS',
      ledger,
    );
    expect(voidRefused.body.details).toMatchObject({
      dependentEvents: [{ eventId: blended, type: 'BatchBlended' }],
    });
  });
});
