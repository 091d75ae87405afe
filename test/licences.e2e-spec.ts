import { expectRefusal } from './support/expect-refusal';
import { LedgerHarness, minedBatch, standardParties } from './support/ledger-harness';

/**
 * Export licences and exports over HTTP: the lifecycle and its views, a refusal on the licence's terms that
 * writes nothing to either stream (every other refusal is in export.decider.spec.ts and
 * licence.decider.spec.ts), and the cap under a race.
 */
describe('licences and exports', () => {
  let ledger: LedgerHarness;
  let parties: Awaited<ReturnType<typeof standardParties>>;
  let regulatorMy: string;

  const licence = (licenceId: string, extra: Record<string, unknown> = {}) => ({
    licenceId,
    holderOrgId: 'mineco',
    type: 'general',
    items: [{ form: 'concentrate', elements: ['Nd', 'Pr', 'Dy'], hsCode: '2846.90' }],
    destinations: ['JP', 'DE'],
    endUsers: ['Shin-Etsu Magnetics'],
    quantityKg: 10000,
    validFrom: '2026-01-01T00:00:00Z',
    validUntil: '2099-12-31T23:59:59Z', // judged when recorded too (ADR 0017): far ahead of any run
    occurredAt: '2026-01-01T00:00:00Z',
    ...extra,
  });
  const exportOf = (exportId: string, licenceId: string, extra: Record<string, unknown> = {}) => ({
    exportId,
    licenceId,
    destinationCountry: 'JP',
    consignee: 'Sojitz Corporation',
    endUser: 'Shin-Etsu Magnetics',
    hsCode: '2846.90',
    customsDeclarationNo: `K1-${exportId}`,
    port: 'AUFRE',
    occurredAt: '2026-04-01T10:00:00+08:00',
    ...extra,
  });
  const change = { reason: 'review', occurredAt: '2026-02-01T00:00:00Z' };

  const created = async (path: string, token: string, body: unknown) => {
    const reply = await ledger.post<{ position: string }>(path, token, body);
    if (reply.status !== 201) throw new Error(`${path}: ${reply.status} ${JSON.stringify(reply.body)}`);
    return reply.body.position;
  };
  const mine = (batchId: string, massKg = 1000) =>
    created('/batches/mined', parties.miner, minedBatch(batchId, massKg));

  beforeAll(async () => {
    ledger = await LedgerHarness.start();
    parties = await standardParties(ledger);
    await created('/licences', parties.regulator, licence('L-GEN'));
    // A regulator licenses holders of its own country only: refco is Malaysian.
    regulatorMy = await ledger.organisation('customs-my', 'MY', ['regulator']);
    await created('/licences', regulatorMy, licence('L-REF', { holderOrgId: 'refco' }));
    for (const id of ['B-1', 'B-2', 'B-S2', 'B-IDEM']) await mine(id);
    await created('/batches/B-1/exports', parties.miner, exportOf('E-1', 'L-GEN'));
  });
  afterAll(() => ledger.stop());

  it('draws the licence down and marks the batch exported, atomically', async () => {
    const position = await created('/batches/B-2/exports', parties.miner, exportOf('E-2', 'L-GEN'));
    const batch = await ledger.get(`/batches/B-2?minPosition=${position}`, parties.miner);
    expect(batch.body).toMatchObject({ status: 'exported', remainingMassKg: 0 });
    const view = await ledger.get('/licences/L-GEN', parties.regulator);
    expect(view.status).toBe(200);
    expect(view.body).toMatchObject({
      licenceId: 'L-GEN',
      holderOrgId: 'mineco',
      status: 'active',
      quantityKg: 10000,
      drawnKg: 2000,
      remainingKg: 8000,
    });
    expect((view.body.exports as { exportId: string }[]).map((e) => e.exportId)).toEqual(['E-1', 'E-2']);
    expect((view.body.history as { type: string }[]).map((h) => h.type)).toEqual(['LicenceGranted']);
    const events = await ledger.get<{ type: string; position: string }[]>(
      '/batches/B-2/events',
      parties.miner,
    );
    const licenceEvents = await ledger.get<{ type: string; position: string }[]>(
      '/licences/L-GEN/events',
      parties.regulator,
    );
    const exported = events.body.find((e) => e.type === 'BatchExported');
    const drawn = licenceEvents.body.filter((e) => e.type === 'LicenceDrawnDown').at(-1);
    // One append: the two events sit next to each other in the log.
    expect(BigInt(drawn!.position) - BigInt(exported!.position)).toBe(1n);
  });

  it('answers a retried export from the log, writing nothing', async () => {
    await created('/licences', parties.regulator, licence('L-IDEM'));
    const headers = { 'Idempotency-Key': 'export-B-IDEM' };
    const first = await ledger.post(
      '/batches/B-IDEM/exports',
      parties.miner,
      exportOf('E-IDEM', 'L-IDEM'),
      headers,
    );
    expect(first.status).toBe(201);
    const before = await ledger.eventCount();
    const retry = await ledger.post(
      '/batches/B-IDEM/exports',
      parties.miner,
      exportOf('E-IDEM', 'L-IDEM'),
      headers,
    );
    expect(retry).toMatchObject({ status: 201, body: first.body });
    expect(await ledger.eventCount()).toBe(before);
  });

  it('keeps the status history, and revocation is final', async () => {
    await created('/licences', parties.regulator, licence('L-LIFE'));
    await created('/licences/L-LIFE/amendments', parties.regulator, {
      ...change,
      changes: { quantityKg: 500, destinations: ['JP'] },
    });
    await created('/licences/L-LIFE/suspensions', parties.regulator, change);
    await created('/licences/L-LIFE/reinstatements', parties.regulator, change);
    const position = await created('/licences/L-LIFE/revocations', parties.regulator, change);
    const view = await ledger.get(`/licences/L-LIFE?minPosition=${position}`, parties.miner);
    expect(view.body).toMatchObject({ status: 'revoked', quantityKg: 500, destinations: ['JP'] });
    expect((view.body.history as { type: string }[]).map((h) => h.type)).toEqual([
      'LicenceGranted',
      'LicenceAmended',
      'LicenceSuspended',
      'LicenceReinstated',
      'LicenceRevoked',
    ]);
    await expectRefusal(
      () => ledger.post('/licences/L-LIFE/reinstatements', parties.regulator, change),
      422,
      'LICENCE_REVOKED',
      ledger,
    );
  });

  it('lists licences by holder and exports by licence and occurredAt', async () => {
    // Read by the regulator that granted it (docs/visibility.md).
    const byHolder = await ledger.get<{ licenceId: string }[]>('/licences?holderOrgId=refco', regulatorMy);
    expect(byHolder.body.map((l) => l.licenceId)).toEqual(['L-REF']);
    const all = await ledger.get<{ exportId: string }[]>('/exports?licenceId=L-GEN', parties.regulator);
    expect(all.body.map((e) => e.exportId).sort()).toEqual(['E-1', 'E-2']);
    const inApril = await ledger.get<unknown[]>(
      '/exports?licenceId=L-GEN&from=2026-04-01T00:00:00Z&to=2026-05-01T00:00:00Z',
      parties.regulator,
    );
    expect(inApril.body).toHaveLength(2);
    const inMay = await ledger.get<unknown[]>('/exports?from=2026-05-01T00:00:00Z', parties.regulator);
    expect(inMay.body).toHaveLength(0);
  });

  it('refuses an export to a destination the licence does not cover, writing nothing', () =>
    expectRefusal(
      () =>
        ledger.post(
          '/batches/B-S2/exports',
          parties.miner,
          exportOf('E-X', 'L-GEN', { destinationCountry: 'KP' }),
        ),
      422,
      'LICENCE_DESTINATION_NOT_COVERED',
      ledger,
    ));

  it('never lets 30 concurrent exports draw more than the cap', async () => {
    // 30 lots of 100 kg against a cap that fits 15 of them and half of another.
    await created('/licences', parties.regulator, licence('L-RACE', { quantityKg: 1550 }));
    const ids = Array.from({ length: 30 }, (_, i) => `RACE-${i}`);
    for (const id of ids) await mine(id, 100);
    const exportWithRetries = async (id: string) => {
      for (let attempt = 0; attempt < 30; attempt++) {
        const reply = await ledger.post(
          `/batches/${id}/exports`,
          parties.miner,
          exportOf(`E-${id}`, 'L-RACE'),
        );
        if (reply.status !== 409) return reply;
      }
      throw new Error(`${id} kept conflicting`);
    };
    const replies = await Promise.all(ids.map(exportWithRetries));
    const accepted = replies.filter((reply) => reply.status === 201);
    const refused = replies.filter((reply) => reply.status !== 201);
    for (const reply of refused) await expectRefusal(reply, 422, 'LICENCE_EXHAUSTED');
    expect(accepted).toHaveLength(15);

    const events = await ledger.get<{ type: string; data: { massGrams: number } }[]>(
      '/licences/L-RACE/events',
      parties.regulator,
    );
    const drawnGrams = events.body
      .filter((event) => event.type === 'LicenceDrawnDown')
      .reduce((sum, event) => sum + event.data.massGrams, 0);
    expect(drawnGrams).toBeLessThanOrEqual(1_550_000);
    expect(drawnGrams).toBe(1_500_000);
    const head = await ledger.eventCount();
    const view = await ledger.get(`/licences/L-RACE?minPosition=${head}`, parties.regulator);
    expect(view.body).toMatchObject({ drawnKg: drawnGrams / 1000, remainingKg: 50 });
    expect((view.body.exports as unknown[]).length).toBe(15);
  });
});
