import { type AuditBundle, verifyAuditBundle } from '@tracelode/evidence';
import { expectRefusal } from './support/expect-refusal';
import { ADMIN_TOKEN, LedgerHarness } from './support/ledger-harness';

/*
 * CORRECTIONS THAT FLOW DOWNSTREAM (ADR 0024) — every expected figure is computed by hand here.
 *
 * Parties: mineco (AU, mine mt-weld), refco (MY, plant kuantan), customs-au grants mineco licence L
 * (concentrate, Nd/Pr, cap 6,000 kg); irma-audit certifies (IRMA) mineco from 1 March 12:00Z.
 *
 *   M1   mined 10,000 kg, 2,000 kg CO2e (0.2/kg), 1 March 13:00Z (certified)
 *   M2   mined  6,000 kg, 3,000 kg CO2e (0.5/kg), 1 March 00:00Z (before the certificate: a gap)
 *   X    mined  1,000 kg, 100 kg CO2e, exported whole under L (X-EXP)
 *   split M1 (2 March): S1 4,000 kg (M1 keeps 6,000); S1 shipped whole to refco, received 3,990 kg (10 short)
 *   blend BL (3 March): M1 6,000 + M2 4,000 → 10,000 kg (M1 0 left, M2 2,000 left)
 *   transformation T (4 March, beneficiation at mt-weld): BL 10,000 → CON 5,000 kg (+ 4,000 tailings,
 *     1,000 lost), 1,000 kg CO2e, one output (share 1); CON exported whole under L (CON-EXP)
 *   L drawn: 1,000 + 5,000 = 6,000 kg of 6,000
 *
 * Before any correction:
 *   BL:  origins M1 0.6, M2 0.4; 6,000 × 0.2 + 4,000 × 0.5 = 3,200 kg CO2e, 0.32/kg; IRMA mass balance 0.6
 *   CON: origins M1 0.6, M2 0.4; 3,200 + 1,000 = 4,200 kg CO2e, 0.84/kg; IRMA 0.6
 *   S1:  4,000 × 0.2 = 800 kg CO2e
 *
 * Refused first, each writing nothing:
 *   the blend's M1 consumed 6,000 → 5,000: BL would weigh 9,000, and T consumed 10,000 of it (names T's draw)
 *   X's mass 1,000 → 1,000.001: L's cap (6,000) would be exceeded (names X-EXP)
 *
 * C1 — T's input consumed 10,000 → 9,000 kg (5,000 + 4,000 ≤ 9,000; loss 0): BL keeps 1,000 kg
 *   CON: 9,000 × 0.32 + 1,000 = 3,880 kg CO2e, 0.776/kg
 * C2 — the blend's M1 consumed 6,000 → 5,000 kg: BL 9,000 kg (its draw by T leaves 0), M1 keeps 1,000
 *   BL:  origins M1 5/9, M2 4/9; 5,000 × 0.2 + 4,000 × 0.5 = 3,000 kg CO2e, 1/3 per kg; IRMA 5/9
 *   CON: origins 5/9, 4/9; 9,000 × 1/3 + 1,000 = 4,000 kg CO2e, 0.8/kg; IRMA 5/9
 * C3 — T's output CON 5,000 → 4,800 kg (loss 200): the export carried 4,800, L drawn 5,800
 *   CON: 4,000 / 4,800 = 5/6 per kg
 * C4 — X's mass 1,000 → 1,200 kg: X-EXP carries 1,200, L drawn 6,000 (exactly the cap)
 * C5 — T's process emissions 1,000 → 1,600: CON 3,000 + 1,600 = 4,600 kg CO2e, 23/24 per kg (PACT too)
 * C6 — the split's S1 4,000 → 4,100 kg: S1 and its shipment 4,100 (receipt keeps 3,990; 110 short),
 *   M1 keeps 900; S1 820 kg CO2e (0.2/kg). 4,000 → 3,980 is refused: the receipt weighed 3,990.
 */
describe('corrections flow downstream: transformations, splits, blends, exports and licences', () => {
  let ledger: LedgerHarness;
  let mineco: string;
  let refco: string;
  let regulator: string;
  let certifier: string;
  let beforeCorrections: string;
  let transformationEventId: string;

  const ok = async (path: string, token: string, body: unknown) => {
    const reply = await ledger.post<{ position: string }>(path, token, body);
    if (reply.status !== 201) throw new Error(`${path}: ${reply.status} ${JSON.stringify(reply.body)}`);
    return reply.body;
  };
  const view = async <T = Record<string, unknown>>(path: string): Promise<T> => {
    const head = await ledger.eventCount();
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
  const correct = (eventId: string, token: string, correctionId: string, changes: Record<string, unknown>) =>
    ledger.post(`/events/${eventId}/corrections`, token, { correctionId, reason: 'Re-weighed', changes });
  const corrected = async (
    eventId: string,
    token: string,
    correctionId: string,
    changes: Record<string, unknown>,
  ) => {
    const reply = await correct(eventId, token, correctionId, changes);
    if (reply.status !== 201)
      throw new Error(`${correctionId}: ${reply.status} ${JSON.stringify(reply.body)}`);
    return reply.body;
  };
  const material = { form: 'concentrate', elements: ['Nd', 'Pr'] };
  const mine = (batchId: string, massKg: number, kgCo2e: number, occurredAt: string) =>
    ok('/batches/mined', mineco, {
      batchId,
      facilityId: 'mt-weld',
      material,
      massKg,
      extractionEmissionsKgCo2e: kgCo2e,
      occurredAt,
    });
  const exportOf = (exportId: string) => ({
    exportId,
    licenceId: 'L',
    destinationCountry: 'JP',
    consignee: 'Sojitz Corporation',
    endUser: 'Shin-Etsu Magnetics',
    hsCode: '2846.90',
    customsDeclarationNo: `K1-${exportId}`,
    port: 'AUFRE',
    occurredAt: '2026-03-06T00:00:00Z',
  });

  type Carbon = { embodiedKgCo2e: number; intensityKgCo2ePerKg: number };
  const carbon = (batchId: string, query = '') => view<Carbon>(`/batches/${batchId}/carbon${query}`);
  const expectCarbon = (actual: Carbon, embodied: number, intensity: number) => {
    expect(actual.embodiedKgCo2e).toBeCloseTo(embodied, 9);
    expect(actual.intensityKgCo2ePerKg).toBeCloseTo(intensity, 12);
  };
  const origins = async (batchId: string, query = '') =>
    Object.fromEntries(
      (
        await view<{ origins: { batchId: string; massFraction: number }[] }>(
          `/batches/${batchId}/provenance${query}`,
        )
      ).origins.map((origin) => [origin.batchId, origin.massFraction]),
    );
  const irma = async (batchId: string, query = '') =>
    (
      await view<{ schemes: { scheme: string; certifiedShare: number; chainOfCustodyModel: string }[] }>(
        `/batches/${batchId}/certification${query}`,
      )
    ).schemes.find((scheme) => scheme.scheme === 'IRMA')!;
  const licence = (query = '') =>
    view<{ drawnKg: number; remainingKg: number; exports: { exportId: string; massKg: number }[] }>(
      `/licences/L${query}`,
    );
  const exported =
    (query = '') =>
    async (exportId: string) =>
      (
        await view<{ exportId: string; massKg: number }[]>(`/exports?licenceId=L${query ? `&${query}` : ''}`)
      ).find((item) => item.exportId === exportId)!;

  beforeAll(async () => {
    ledger = await LedgerHarness.start();
    mineco = await ledger.organisation(
      'mineco',
      'AU',
      ['producer'],
      [{ facilityId: 'mt-weld', kind: 'mine' }],
    );
    refco = await ledger.organisation(
      'refco',
      'MY',
      ['producer'],
      [{ facilityId: 'kuantan', kind: 'processing_plant' }],
    );
    regulator = await ledger.organisation('customs-au', 'AU', ['regulator']);
    certifier = await ledger.organisation('irma-audit', 'DE', ['certifier']);
    await ok('/certificates', certifier, {
      certificateId: 'C-MINECO',
      scheme: 'IRMA',
      subject: { type: 'organisation', id: 'mineco' },
      validFrom: '2026-03-01T12:00:00Z',
      validUntil: '2099-01-01T00:00:00Z',
      evidence: { sha256: 'a'.repeat(64), uri: 'https://audits.example/irma.pdf' },
      occurredAt: '2026-01-01T00:00:00Z',
    });
    await ok('/licences', regulator, {
      licenceId: 'L',
      holderOrgId: 'mineco',
      type: 'general',
      items: [{ form: 'concentrate', elements: ['Nd', 'Pr'], hsCode: '2846.90' }],
      destinations: ['JP'],
      quantityKg: 6000,
      validFrom: '2026-01-01T00:00:00Z',
      validUntil: '2099-12-31T23:59:59Z',
      occurredAt: '2026-01-01T00:00:00Z',
    });
    await mine('M1', 10000, 2000, '2026-03-01T13:00:00Z');
    await mine('M2', 6000, 3000, '2026-03-01T00:00:00Z');
    await mine('X', 1000, 100, '2026-03-01T13:00:00Z');
    await ok('/batches/X/exports', mineco, exportOf('X-EXP'));
    await ok('/batches/M1/splits', mineco, {
      splitId: 'SP',
      outputs: [{ batchId: 'S1', massKg: 4000 }],
      occurredAt: '2026-03-02T00:00:00Z',
    });
    await ok('/batches/S1/shipments', mineco, {
      shipmentId: 'SH-S1',
      toOrgId: 'refco',
      toFacilityId: 'kuantan',
      occurredAt: '2026-03-02T06:00:00Z',
      documents: [{ type: 'bill_of_lading', number: 'SH-S1' }],
    });
    await ok('/batches/S1/receipts', refco, {
      shipmentId: 'SH-S1',
      receivedMassKg: 3990,
      occurredAt: '2026-03-03T06:00:00Z',
    });
    await ok('/blends', mineco, {
      blendId: 'BLEND',
      facilityId: 'mt-weld',
      inputs: [
        { batchId: 'M1', consumedKg: 6000 },
        { batchId: 'M2', consumedKg: 4000 },
      ],
      output: { batchId: 'BL', material },
      occurredAt: '2026-03-03T00:00:00Z',
    });
    await ok('/transformations', mineco, {
      transformationId: 'T',
      facilityId: 'mt-weld',
      process: 'beneficiation',
      occurredAt: '2026-03-04T00:00:00Z',
      inputs: [{ batchId: 'BL', consumedKg: 10000 }],
      outputs: [{ batchId: 'CON', material, massKg: 5000 }],
      residues: [{ kind: 'tailings', massKg: 4000 }],
      processEmissionsKgCo2e: 1000,
    });
    await ok('/batches/CON/exports', mineco, exportOf('CON-EXP'));
    await view('/licences/L');
    await new Promise((done) => setTimeout(done, 50));
    beforeCorrections = new Date().toISOString();
    await new Promise((done) => setTimeout(done, 50));
  });
  afterAll(() => ledger.stop());

  it('shows the hand-worked views before any correction', async () => {
    expect(await origins('BL')).toEqual({ M1: 0.6, M2: 0.4 });
    expectCarbon(await carbon('BL'), 3200, 0.32);
    expectCarbon(await carbon('CON'), 4200, 0.84);
    expect(await irma('CON')).toMatchObject({ chainOfCustodyModel: 'mass_balance' });
    expect((await irma('CON')).certifiedShare).toBeCloseTo(0.6, 12);
    expect(await licence()).toMatchObject({ drawnKg: 6000, remainingKg: 0 });
  });

  it('refuses what would break what depends on it, naming the dependents, writing nothing', async () => {
    const blend = await eventOf('BL', 'BlendProduced');
    const refined = await eventOf('BL', 'BatchRefined');
    const overdrawn = await expectRefusal(
      () => correct(blend, mineco, 'C-BAD-1', { inputs: [{ batchId: 'M1', consumedKg: 5000 }] }),
      422,
      'CORRECTION_BREAKS_DEPENDENTS',
      ledger,
    );
    expect(overdrawn.body.details).toMatchObject({
      dependentEvents: [{ eventId: refined, type: 'BatchRefined' }],
    });

    const minedX = await eventOf('X', 'BatchMined');
    const exportX = await eventOf('X', 'BatchExported');
    const capped = await expectRefusal(
      () => correct(minedX, mineco, 'C-BAD-2', { massKg: 1000.001 }),
      422,
      'CORRECTION_BREAKS_DEPENDENTS',
      ledger,
    );
    expect(capped.body.details).toMatchObject({
      dependentEvents: [{ eventId: exportX, type: 'BatchExported' }],
      licenceId: 'L',
      refusedBy: 'LICENCE_EXHAUSTED',
    });

    // A lot's part of a transformation names the event that declares it whole.
    const produced = await eventOf('CON', 'BatchProduced');
    const part = await expectRefusal(
      () => correct(produced, mineco, 'C-BAD-3', { massKg: 4800 }),
      422,
      'EVENT_NOT_CORRECTABLE',
      ledger,
    );
    expect(part.body.details).toMatchObject({ correct: 'TransformationRecorded' });
    transformationEventId = (part.body.details as { correctEventId: string }).correctEventId;
    expect(transformationEventId).toMatch(/\S/);

    await expectRefusal(
      () =>
        correct(transformationEventId, mineco, 'C-BAD-4', {
          outputs: [{ batchId: 'CON', massKg: 6000.001 }],
        }),
      422,
      'OUTPUT_MASS_EXCEEDS_CONSUMED',
      ledger,
    );
    await expectRefusal(
      () =>
        correct(transformationEventId, mineco, 'C-BAD-5', { inputs: [{ batchId: 'CON', consumedKg: 1 }] }),
      400,
      'CORRECTION_VALUE_INVALID',
      ledger,
    );
    await expectRefusal(
      () => correct(transformationEventId, mineco, 'C-BAD-6', { facilityId: 'kuantan' }),
      422,
      'FIELD_NOT_CORRECTABLE',
      ledger,
    );
    // Another organisation's key: refco, and a regulator, may not correct mineco's transformation, split, blend.
    for (const [eventId, token] of [
      [transformationEventId, refco],
      [transformationEventId, regulator],
      [blend, refco],
      [await eventOf('M1', 'BatchSplit'), refco],
      [exportX, certifier],
    ] as const) {
      await expectRefusal(
        () => correct(eventId, token, 'C-BAD-7', { occurredAt: '2026-03-04T01:00:00Z' }),
        403,
        'NOT_RECORDER',
        ledger,
      );
    }
  });

  it('corrects a transformation’s consumed mass, then the blend’s: provenance, carbon and certification follow', async () => {
    await corrected(transformationEventId, mineco, 'C1', { inputs: [{ batchId: 'BL', consumedKg: 9000 }] });
    expect(await view('/batches/BL')).toMatchObject({
      massKg: 10000,
      remainingMassKg: 1000,
      status: 'in_custody',
    });
    expectCarbon(await carbon('CON'), 3880, 0.776);

    await corrected(await eventOf('BL', 'BlendProduced'), mineco, 'C2', {
      inputs: [{ batchId: 'M1', consumedKg: 5000 }],
    });
    expect(await view('/batches/BL')).toMatchObject({ massKg: 9000, remainingMassKg: 0, status: 'consumed' });
    expect(await view('/batches/M1')).toMatchObject({ massKg: 10000, remainingMassKg: 1000 });
    for (const batchId of ['BL', 'CON']) {
      const mix = await origins(batchId);
      expect(mix.M1).toBeCloseTo(5 / 9, 12);
      expect(mix.M2).toBeCloseTo(4 / 9, 12);
      expect((await irma(batchId)).certifiedShare).toBeCloseTo(5 / 9, 12);
    }
    expect(await view('/batches/BL/provenance')).toMatchObject({
      parents: [
        { batchId: 'M1', consumedKg: 5000 },
        { batchId: 'M2', consumedKg: 4000 },
      ],
    });
    expectCarbon(await carbon('BL'), 3000, 1 / 3);
    expectCarbon(await carbon('CON'), 4000, 0.8);
  });

  it('corrects the output’s mass and a mined mass exported whole: the exports and the licence’s drawn quantity follow', async () => {
    await corrected(transformationEventId, mineco, 'C3', { outputs: [{ batchId: 'CON', massKg: 4800 }] });
    expect(await view('/batches/CON')).toMatchObject({
      massKg: 4800,
      remainingMassKg: 0,
      status: 'exported',
    });
    expectCarbon(await carbon('CON'), 4000, 5 / 6);
    expect(await licence()).toMatchObject({ drawnKg: 5800, remainingKg: 200 });
    expect(await exported()('CON-EXP')).toMatchObject({ massKg: 4800 });

    await corrected(await eventOf('X', 'BatchMined'), mineco, 'C4', { massKg: 1200 });
    const usage = await licence();
    expect(usage).toMatchObject({ drawnKg: 6000, remainingKg: 0 });
    expect(usage.exports.map(({ exportId, massKg }) => [exportId, massKg])).toEqual([
      ['X-EXP', 1200],
      ['CON-EXP', 4800],
    ]);
    expect(await exported()('X-EXP')).toMatchObject({ massKg: 1200 });
    const timeline = (
      await view<{ timeline: { type: string; details: Record<string, unknown> }[] }>('/batches/X')
    ).timeline;
    expect(timeline.find((entry) => entry.type === 'BatchExported')!.details).toMatchObject({
      massGrams: 1_200_000,
    });
  });

  it('corrects the process emissions: carbon and the PACT footprint follow', async () => {
    await corrected(transformationEventId, mineco, 'C5', { processEmissionsKgCo2e: 1600 });
    expectCarbon(await carbon('CON'), 4600, 23 / 24);
    const footprint = await view<{ pcf: { pcfExcludingBiogenicUptake: string } }>('/batches/CON/footprint');
    expect(Number(footprint.pcf.pcfExcludingBiogenicUptake)).toBeCloseTo(23 / 24, 12);
    // CON's history shows the declaration as corrected, and each correction: who, when, why.
    const custody = await view<{
      timeline: {
        type: string;
        details: Record<string, unknown>;
        corrections?: { correctionId: string }[];
      }[];
    }>('/batches/CON');
    const produced = custody.timeline.find((entry) => entry.type === 'BatchProduced')!;
    expect(produced.details).toMatchObject({
      massGrams: 4_800_000,
      processEmissionsKgCo2e: 1600,
      inputs: [{ batchId: 'BL', consumedGrams: 9_000_000 }],
      unaccountedLossGrams: 200_000,
    });
    expect(produced.corrections!.map((correction) => correction.correctionId)).toEqual(['C1', 'C3', 'C5']);
  });

  it('corrects a split’s output after its shipment was received: the shipment carries it, the receipt keeps its weight', async () => {
    const split = await eventOf('M1', 'BatchSplit');
    const shipped = await eventOf('S1', 'BatchShipped');
    const receipt = await eventOf('S1', 'BatchReceived');
    const refused = await expectRefusal(
      () => correct(split, mineco, 'C-BAD-8', { outputs: [{ batchId: 'S1', massKg: 3980 }] }),
      422,
      'CORRECTION_BREAKS_DEPENDENTS',
      ledger,
    );
    expect(refused.body.details).toMatchObject({
      dependentEvents: [
        { eventId: shipped, type: 'BatchShipped' },
        { eventId: receipt, type: 'BatchReceived' },
      ],
    });
    await corrected(split, mineco, 'C6', { outputs: [{ batchId: 'S1', massKg: 4100 }] });
    expect(await view('/batches/M1')).toMatchObject({ remainingMassKg: 900 });
    const s1 = await view<{
      massKg: number;
      remainingMassKg: number;
      timeline: { type: string; details: Record<string, unknown> }[];
    }>('/batches/S1');
    expect(s1).toMatchObject({ massKg: 4100, remainingMassKg: 3990 });
    expect(s1.timeline.find((entry) => entry.type === 'BatchShipped')!.details).toMatchObject({
      massGrams: 4_100_000,
    });
    expect(s1.timeline.find((entry) => entry.type === 'BatchReceived')!.details).toMatchObject({
      receivedMassGrams: 3_990_000,
      discrepancyGrams: 110_000,
    });
    expect(await view('/batches/S1/provenance')).toMatchObject({
      parents: [{ batchId: 'M1', consumedKg: 4100 }],
    });
    expectCarbon(await carbon('S1'), 820, 0.2);
  });

  it('corrects an export’s customs reference and time: the export and the licence’s drawdown follow', async () => {
    const exportX = await eventOf('X', 'BatchExported');
    await corrected(exportX, mineco, 'C7', {
      customsDeclarationNo: 'K1-X-EXP-AMENDED',
      occurredAt: '2026-03-05T00:00:00Z',
    });
    expect(await exported()('X-EXP')).toMatchObject({
      customsDeclarationNo: 'K1-X-EXP-AMENDED',
      occurredAt: '2026-03-05T00:00:00Z',
      massKg: 1200,
    });
    const drawdown = (await licence()).exports.find((item) => item.exportId === 'X-EXP') as unknown as {
      occurredAt: string;
      corrections: { correctionId: string; corrected: Record<string, unknown> }[];
    };
    expect(drawdown.occurredAt).toBe('2026-03-05T00:00:00Z');
    expect(drawdown.corrections.map(({ correctionId, corrected: fields }) => [correctionId, fields])).toEqual(
      [
        ['C4', { massGrams: 1_200_000 }],
        ['C7', { occurredAt: '2026-03-05T00:00:00Z' }],
      ],
    );
    // Not before the lot came into being; the port may not change to nothing.
    await expectRefusal(
      () => correct(exportX, mineco, 'C-BAD-9', { occurredAt: '2026-02-28T00:00:00Z' }),
      422,
      'OCCURRED_BEFORE_PREVIOUS_EVENT',
      ledger,
    );
    await expectRefusal(
      () => correct(exportX, mineco, 'C-BAD-10', { port: '' }),
      400,
      'CORRECTION_VALUE_INVALID',
      ledger,
    );
  });

  it('shows, asOf before the corrections, every view as it was', async () => {
    const asOf = `?asOf=${encodeURIComponent(beforeCorrections)}`;
    expect(await origins('CON', asOf)).toEqual({ M1: 0.6, M2: 0.4 });
    expectCarbon(await carbon('CON', asOf), 4200, 0.84);
    expectCarbon(await carbon('S1', asOf), 800, 0.2);
    expect((await irma('CON', asOf)).certifiedShare).toBeCloseTo(0.6, 12);
    expect(await view(`/batches/BL${asOf}`)).toMatchObject({ massKg: 10000, remainingMassKg: 0 });
  });

  it('carries the corrections in the audit bundle, and the offline verifier recomputes the corrected views', async () => {
    const reply = await ledger.get<AuditBundle>('/batches/CON/audit-bundle', mineco);
    expect(reply.status).toBe(200);
    const types = reply.body.events
      .filter((event) => event.type === 'EventCorrected')
      .map((event) => event.stream);
    // C1, C3, C5 on T's stream; C1 on BL (its draw), C2 on BL; C1, C3, C5 on CON; C3 on L.
    expect(types.filter((stream) => stream === 'transformation-T')).toHaveLength(3);
    expect(types.filter((stream) => stream === 'batch-CON')).toHaveLength(3);
    const verdict = verifyAuditBundle(reply.body);
    expect(verdict.failure).toBeUndefined();
    expect(verdict.ok).toBe(true);
    expect(reply.body.views?.carbon.intensityKgCo2ePerKg).toBeCloseTo(23 / 24, 12);
  });
});

/*
 * A CORRECTION NEVER SHOWS MORE THAN WHAT IT CORRECTS (docs/visibility.md, ADR 0024).
 *
 * mineco mines M (10,000 kg) and transforms it (T2) into LOT-A (5,000 kg) and SIBLING-LOT-9 (3,000 kg);
 * LOT-A is shipped whole to refco, which receives it. mineco then corrects T2's outputs: LOT-A 5,010 kg,
 * SIBLING-LOT-9 2,917.5 kg — one correction on T2's stream, LOT-A's and the sibling's. refco has no claim on
 * the sibling: neither its events of LOT-A nor its audit bundle (or the bundle's refusal) may name the
 * sibling or its corrected mass, which the admin's read does.
 */
describe('a transformation’s correction, read by the holder of one output', () => {
  let ledger: LedgerHarness;
  let mineco: string;
  let refco: string;
  const SIBLING = 'SIBLING-LOT-9';
  const secrets = [SIBLING, '2917.5', '2917500'];
  /**
   * Whether `text` shows `secret` as a value of its own, not inside a longer run of letters, digits, `-`
   * and `_`: a hash, an id, a salt or a digest can hold any seven digits by chance. (A full run once found
   * `2917500` in refco's events of LOT-A, a stream that holds the sibling's mass in grams for no reader:
   * even the admin's events of LOT-A show only `2917.5`, in the correction's `changes`.)
   */
  const shows = (text: string, secret: string) =>
    new RegExp(`(?<![0-9A-Za-z_-])${secret.replace(/[.-]/g, '\\$&')}(?![0-9A-Za-z_-])`).test(text);

  const ok = async (path: string, token: string, body: unknown) => {
    const reply = await ledger.post<{ position: string }>(path, token, body);
    if (reply.status !== 201) throw new Error(`${path}: ${reply.status} ${JSON.stringify(reply.body)}`);
    return reply.body;
  };
  const material = { form: 'concentrate', elements: ['Nd', 'Pr'] };
  const eventsOf = async (token: string) => {
    const head = await ledger.eventCount();
    const reply = await ledger.get(`/batches/LOT-A/events?minPosition=${head}`, token);
    expect(reply.status).toBe(200);
    return JSON.stringify(reply.body);
  };
  const bundleOf = async (token: string) => {
    for (let attempt = 0; ; attempt++) {
      const reply = await ledger.get('/batches/LOT-A/audit-bundle', token);
      if (reply.status !== 503 || attempt === 40) return reply;
      await new Promise((done) => setTimeout(done, 250)); // the views or the log still catching up
    }
  };

  beforeAll(async () => {
    ledger = await LedgerHarness.start();
    mineco = await ledger.organisation(
      'mineco',
      'AU',
      ['producer'],
      [{ facilityId: 'mt-weld', kind: 'mine' }],
    );
    refco = await ledger.organisation(
      'refco',
      'MY',
      ['producer'],
      [{ facilityId: 'kuantan', kind: 'processing_plant' }],
    );
    await ok('/batches/mined', mineco, {
      batchId: 'M',
      facilityId: 'mt-weld',
      material,
      massKg: 10000,
      extractionEmissionsKgCo2e: 2000,
      occurredAt: '2026-03-01T00:00:00Z',
    });
    await ok('/transformations', mineco, {
      transformationId: 'T2',
      facilityId: 'mt-weld',
      process: 'beneficiation',
      occurredAt: '2026-03-02T00:00:00Z',
      inputs: [{ batchId: 'M', consumedKg: 10000 }],
      outputs: [
        { batchId: 'LOT-A', material, massKg: 5000 },
        { batchId: SIBLING, material, massKg: 3000 },
      ],
      residues: [{ kind: 'tailings', massKg: 2000 }],
      processEmissionsKgCo2e: 1000,
    });
    await ok('/batches/LOT-A/shipments', mineco, {
      shipmentId: 'SH-A',
      toOrgId: 'refco',
      toFacilityId: 'kuantan',
      occurredAt: '2026-03-03T00:00:00Z',
      documents: [{ type: 'bill_of_lading', number: 'SH-A' }],
    });
    await ok('/batches/LOT-A/receipts', refco, {
      shipmentId: 'SH-A',
      receivedMassKg: 5000,
      occurredAt: '2026-03-04T00:00:00Z',
    });
    // A lot's part of a transformation names the event that declares it whole.
    const events = await ledger.get<{ type: string; eventId: string }[]>(
      '/batches/LOT-A/events',
      ADMIN_TOKEN,
    );
    const produced = events.body.find((event) => event.type === 'BatchProduced')!.eventId;
    const part = await ledger.post(`/events/${produced}/corrections`, mineco, {
      correctionId: 'C-PROBE',
      reason: 'Re-weighed',
      changes: { massKg: 5010 },
    });
    expect(part.status).toBe(422);
    const declaration = (part.body.details as { correctEventId: string }).correctEventId;
    await ok(`/events/${declaration}/corrections`, mineco, {
      correctionId: 'C-T2',
      reason: 'Re-weighed',
      changes: {
        outputs: [
          { batchId: 'LOT-A', massKg: 5010 },
          { batchId: SIBLING, massKg: 2917.5 },
        ],
      },
    });
  });
  afterAll(() => ledger.stop());

  it('shows the admin the sibling and its corrected mass, in the events and the bundle', async () => {
    const events = await eventsOf(ADMIN_TOKEN);
    expect(events).toContain('EventCorrected');
    expect(events).toContain(SIBLING);
    const bundle = await bundleOf(ADMIN_TOKEN);
    expect(bundle.status).toBe(200);
    for (const secret of secrets) expect(shows(JSON.stringify(bundle.body), secret)).toBe(true);
  });

  it('shows refco, the holder of LOT-A, its lot’s correction without the sibling or its mass', async () => {
    const events = await eventsOf(refco);
    expect(events).toContain('EventCorrected');
    expect(events).toContain('5010000');
    for (const secret of secrets)
      expect({ secret, shown: shows(events, secret) }).toEqual({ secret, shown: false });
  });

  it('gives refco a bundle that verifies without naming the sibling, or refuses it with BUNDLE_CANNOT_WITHHOLD', async () => {
    const reply = await bundleOf(refco);
    const text = JSON.stringify(reply.body);
    for (const secret of secrets)
      expect({ secret, shown: shows(text, secret) }).toEqual({ secret, shown: false });
    if (reply.status === 200) {
      const bundle = reply.body as unknown as AuditBundle;
      expect(text).toContain('C-T2');
      expect(verifyAuditBundle(bundle).ok).toBe(true);
    } else {
      expect(reply.status).toBe(422);
      expect(reply.body).toMatchObject({ code: 'BUNDLE_CANNOT_WITHHOLD' });
    }
  });
});
