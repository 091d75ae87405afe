import { expectRefusal } from './support/expect-refusal';
import { LedgerHarness, minedBatch, standardParties } from './support/ledger-harness';

/**
 * Transformations over HTTP: a partial consumption, a refusal (the mass balance's, as the representative of
 * the domain's; every other is in transformation.decider.spec.ts) and a malformed body write nothing, and
 * concurrent transformations never over-consume an input.
 */
describe('transformations: refusals and races', () => {
  let ledger: LedgerHarness;
  let parties: Awaited<ReturnType<typeof standardParties>>;

  const transformation = (
    id: string,
    inputs: { batchId: string; consumedKg: number }[],
    outputs: [string, number][],
    extra = {},
  ) => ({
    transformationId: id,
    facilityId: 'mt-weld',
    process: 'beneficiation',
    occurredAt: '2026-03-03T08:00:00+08:00',
    inputs,
    outputs: outputs.map(([batchId, massKg]) => ({
      batchId,
      material: { form: 'concentrate', elements: ['Nd', 'Pr'] },
      massKg,
    })),
    processEmissionsKgCo2e: 120.5,
    ...extra,
  });

  beforeAll(async () => {
    ledger = await LedgerHarness.start();
    parties = await standardParties(ledger);
    for (const batchId of ['ORE-1', 'ORE-2', 'ORE-RACE']) {
      expect(
        (
          await ledger.post('/batches/mined', parties.miner, {
            ...minedBatch(batchId, 1000),
            material: { form: 'ore' },
          })
        ).status,
      ).toBe(201);
    }
  });
  afterAll(() => ledger.stop());

  const expectTransformationRefused = (body: unknown, status: number, code: string, token = parties.miner) =>
    expectRefusal(() => ledger.post('/transformations', token, body), status, code, ledger);

  it('records a partial consumption and leaves the rest in custody', async () => {
    const reply = await ledger.post<{ outputBatchIds: string[]; position: string }>(
      '/transformations',
      parties.miner,
      transformation('T-OK', [{ batchId: 'ORE-1', consumedKg: 400 }], [['CONC-1', 90.5]], {
        residues: [{ kind: 'tailings', massKg: 300 }],
      }),
    );
    expect(reply.status).toBe(201);
    expect(reply.body).toMatchObject({ transformationId: 'T-OK', outputBatchIds: ['CONC-1'] });
    const input = await ledger.get(`/batches/ORE-1?minPosition=${reply.body.position}`, parties.miner);
    expect(input.body).toMatchObject({ status: 'in_custody', remainingMassKg: 600 });
    const output = await ledger.get('/batches/CONC-1', parties.miner);
    expect(output.body).toMatchObject({
      status: 'in_custody',
      massKg: 90.5,
      custodian: { orgId: 'mineco', facilityId: 'mt-weld' },
    });
  });

  it('refuses output mass above consumed mass', () =>
    expectTransformationRefused(
      transformation('T-1', [{ batchId: 'ORE-2', consumedKg: 100 }], [['C-1', 100.001]]),
      422,
      'OUTPUT_MASS_EXCEEDS_CONSUMED',
    ));
  it('refuses an unknown process and a missing input list', async () => {
    await expectTransformationRefused(
      { ...transformation('T-1', [{ batchId: 'ORE-2', consumedKg: 10 }], [['C-1', 1]]), process: 'alchemy' },
      400,
      'VALIDATION_FAILED',
    );
    await expectTransformationRefused(
      { ...transformation('T-1', [], [['C-1', 1]]) },
      400,
      'VALIDATION_FAILED',
    );
  });
  it('never over-consumes one input under 20 concurrent transformations', async () => {
    // ORE-RACE holds 1,000 kg; each transformation wants 150 kg, so at most 6 of the 20 can succeed.
    const replies = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        ledger.post(
          '/transformations',
          parties.miner,
          transformation(`RACE-${i}`, [{ batchId: 'ORE-RACE', consumedKg: 150 }], [[`RACE-OUT-${i}`, 100]]),
        ),
      ),
    );
    const winners = replies.flatMap((reply, i) => (reply.status === 201 ? [i] : []));
    const losers = replies.flatMap((reply, i) => (reply.status === 201 ? [] : [i]));
    expect(winners.length).toBeLessThanOrEqual(6);
    expect(winners.length).toBeGreaterThan(0);
    for (const i of losers) expect([409, 422]).toContain(replies[i]?.status);

    const events = await ledger.get<
      { type: string; data: { remainingGrams?: number; consumedGrams?: number } }[]
    >('/batches/ORE-RACE/events', parties.miner);
    const refined = events.body.filter((event) => event.type === 'BatchRefined');
    expect(refined).toHaveLength(winners.length);
    expect(Math.min(...refined.map((event) => event.data.remainingGrams ?? -1))).toBeGreaterThanOrEqual(0);
    expect(refined.reduce((sum, event) => sum + (event.data.consumedGrams ?? 0), 0)).toBe(
      150_000 * winners.length,
    );
    for (const i of losers)
      expect((await ledger.get(`/batches/RACE-OUT-${i}/events`, parties.miner)).status).toBe(404);
    for (const i of winners)
      expect((await ledger.get(`/batches/RACE-OUT-${i}/events`, parties.miner)).status).toBe(200);
  });
});
