import { expectRefusal } from './support/expect-refusal';
import { LedgerHarness, minedBatch, shipment, standardParties } from './support/ledger-harness';

describe('chain of custody over HTTP (embedded store)', () => {
  let ledger: LedgerHarness;
  let parties: Awaited<ReturnType<typeof standardParties>>;

  beforeAll(async () => {
    ledger = await LedgerHarness.start();
    parties = await standardParties(ledger);
  });
  afterAll(() => ledger.stop());

  it('mines, ships and receives a batch, and the view follows each step', async () => {
    const mined = await ledger.post<{ batchId: string; position: string }>(
      '/batches/mined',
      parties.miner,
      minedBatch('MW-1'),
    );
    expect(mined.status).toBe(201);
    expect(mined.body).toEqual({ batchId: 'MW-1', position: expect.stringMatching(/^\d+$/) });

    // Not yet the refiner's to see (docs/visibility.md): the miner reads its own lot.
    const afterMining = await ledger.get(`/batches/MW-1?minPosition=${mined.body.position}`, parties.miner);
    expect(afterMining.status).toBe(200);
    expect(afterMining.body).toMatchObject({
      batchId: 'MW-1',
      status: 'in_custody',
      custodian: { orgId: 'mineco', facilityId: 'mt-weld' },
      massKg: 25000.5,
      remainingMassKg: 25000.5,
      material: { form: 'concentrate', elements: ['Nd', 'Pr'], grade: { TREO: 41.2 } },
      position: mined.body.position,
    });

    const shipped = await ledger.post<{ position: string }>(
      '/batches/MW-1/shipments',
      parties.miner,
      shipment('S-1'),
    );
    expect(shipped.status).toBe(201);
    const inTransit = await ledger.get(`/batches/MW-1?minPosition=${shipped.body.position}`, parties.miner);
    expect(inTransit.body).toMatchObject({
      status: 'in_transit',
      openShipment: { shipmentId: 'S-1', toOrgId: 'refco', toFacilityId: 'kuantan', massKg: 25000.5 },
    });

    const received = await ledger.post<{ position: string }>('/batches/MW-1/receipts', parties.refiner, {
      shipmentId: 'S-1',
      receivedMassKg: 24990.25,
      occurredAt: '2026-03-19T14:00:00+08:00',
    });
    expect(received.status).toBe(201);
    const view = await ledger.get<{ timeline: { type: string; details: Record<string, unknown> }[] }>(
      `/batches/MW-1?minPosition=${received.body.position}`,
      parties.refiner, // its custodian now (docs/visibility.md)
    );
    expect(view.body).toMatchObject({
      status: 'in_custody',
      custodian: { orgId: 'refco', facilityId: 'kuantan' },
      massKg: 25000.5,
      remainingMassKg: 24990.25,
      openShipment: null,
      position: received.body.position,
    });
    expect(view.body.timeline.map((entry) => entry.type)).toEqual([
      'BatchMined',
      'BatchShipped',
      'BatchReceived',
    ]);
    expect(view.body.timeline[2]?.details).toMatchObject({
      discrepancyGrams: 10250,
      receivedMassGrams: 24990250,
    });
  });

  it('lists the batch’s events in log order with their envelopes', async () => {
    const events = await ledger.get<Record<string, unknown>[]>('/batches/MW-1/events', parties.regulator);
    expect(events.status).toBe(200);
    expect(events.body.map((event) => event.type)).toEqual(['BatchMined', 'BatchShipped', 'BatchReceived']);
    const positions = events.body.map((event) => Number(event.position));
    expect(positions).toEqual([...positions].sort((a, b) => a - b));
    expect(events.body[1]).toMatchObject({
      stream: 'batch-MW-1',
      revision: '1',
      eventId: expect.stringMatching(/^[0-9a-f-]{36}$/),
      metadata: {
        actor: { orgId: 'mineco', roles: ['producer'] },
        occurredAt: '2026-03-05T06:00:00+08:00',
        recordedAt: expect.any(String),
        commandType: 'ShipBatch',
        schemaVersion: 2, // SCHEMA_VERSION (ADR 0025)
      },
    });
  });

  it('lets a regulator hold a batch, which then cannot ship, and release it', async () => {
    await ledger.post('/batches/mined', parties.miner, minedBatch('MW-HOLD'));
    const hold = await ledger.post<{ position: string }>('/batches/MW-HOLD/holds', parties.regulator, {
      reason: 'Origin under inquiry',
      occurredAt: '2026-03-02T00:00:00Z',
    });
    expect(hold.status).toBe(201);
    expect(hold.body).toMatchObject({ batchId: 'MW-HOLD', held: true });
    const held = await ledger.get(`/batches/MW-HOLD?minPosition=${hold.body.position}`, parties.miner);
    expect(held.body).toMatchObject({ status: 'held', held: true, custodyStatus: 'in_custody' });

    await expectRefusal(
      await ledger.post('/batches/MW-HOLD/shipments', parties.miner, shipment('S-H')),
      422,
      'BATCH_HELD',
    );

    const release = await ledger.post('/batches/MW-HOLD/releases', parties.regulator, {
      reason: 'Cleared',
      occurredAt: '2026-03-03T00:00:00Z',
    });
    expect(release.status).toBe(201);
    expect((await ledger.post('/batches/MW-HOLD/shipments', parties.miner, shipment('S-H'))).status).toBe(
      201,
    );
  });

  it('records an assay by a certifier and shows the new grade', async () => {
    await ledger.post('/batches/mined', parties.miner, minedBatch('MW-ASSAY'));
    // A certifier assays only lots of an organisation (or facility) it certifies.
    const certified = await ledger.post('/certificates', parties.certifier, {
      certificateId: 'C-MINECO',
      scheme: 'IRMA',
      subject: { type: 'organisation', id: 'mineco' },
      validFrom: '2026-01-01T00:00:00Z',
      validUntil: '2027-01-01T00:00:00Z',
      evidence: { sha256: 'a'.repeat(64), uri: 'https://audits.example/mineco.pdf' },
      occurredAt: '2026-01-01T00:00:00Z',
    });
    expect(certified.status).toBe(201);
    const assay = await ledger.post<{ position: string }>('/batches/MW-ASSAY/assays', parties.certifier, {
      assayId: 'A-1',
      lab: 'ALS Perth',
      method: 'ICP-MS',
      grade: { TREO: 40.7, Nd2O3: 8.8 },
      radioactivityBqPerG: 2.9,
      occurredAt: '2026-03-02T10:00:00+08:00',
    });
    expect(assay.status).toBe(201);
    const view = await ledger.get(`/batches/MW-ASSAY?minPosition=${assay.body.position}`, parties.miner);
    expect(view.body).toMatchObject({ material: { grade: { TREO: 40.7, Nd2O3: 8.8 } } });
  });

  it('answers 503 with Retry-After when the views cannot reach minPosition in time', async () => {
    const reply = await expectRefusal(
      await ledger.get('/batches/MW-1?minPosition=999999999', parties.miner),
      503,
      'VIEWS_BEHIND',
    );
    expect(reply.headers.get('retry-after')).toBe('1');
  }, 15000);

  it('serves the OpenAPI document with every route', async () => {
    const docs = await ledger.request('GET', '/docs');
    expect(docs.status).toBe(200);
    const openApi = await ledger.request<{ paths: Record<string, unknown> }>('GET', '/docs/openapi.json');
    expect(Object.keys(openApi.body.paths)).toEqual(
      expect.arrayContaining([
        '/batches/mined',
        '/batches/{batchId}',
        '/batches/{batchId}/assays',
        '/batches/{batchId}/events',
        '/batches/{batchId}/holds',
        '/batches/{batchId}/receipts',
        '/batches/{batchId}/releases',
        '/batches/{batchId}/shipments',
        '/health',
        '/orgs',
        '/orgs/{orgId}/facilities',
        '/transformations',
      ]),
    );
  });
});
