import { KurrentDbWireServer } from '@tracelode/testing';
import { expectRefusal } from './support/expect-refusal';
import { ADMIN_TOKEN, LedgerHarness, minedBatch, shipment, standardParties } from './support/ledger-harness';

/**
 * Two API replicas on one KurrentDB log (the wire-level test server, reached through the real client),
 * each with its own read-model file and projector: what one replica writes, the other serves.
 */
describe('two API replicas on one KurrentDB log', () => {
  let wire: KurrentDbWireServer;
  let a: LedgerHarness;
  let b: LedgerHarness;

  beforeAll(async () => {
    wire = await new KurrentDbWireServer().start();
    a = await LedgerHarness.start({ TRACELODE_STORE: wire.connectionString });
    b = await LedgerHarness.start({ TRACELODE_STORE: wire.connectionString });
  });
  afterAll(async () => {
    await Promise.all([a?.stop(), b?.stop()]);
    wire?.stop();
  });

  it('keeps separate read-model files', () => {
    expect(a.dir).not.toBe(b.dir);
  });

  it('answers a query on B with minPosition for a command made on A', async () => {
    const parties = await standardParties(a);
    const mined = await a.post<{ position: string }>('/batches/mined', parties.miner, minedBatch('REP-1'));
    expect(mined.status).toBe(201);
    const shipped = await a.post<{ position: string }>(
      '/batches/REP-1/shipments',
      parties.miner,
      shipment('SHP-REP-1'),
    );
    expect(shipped.status).toBe(201);

    const view = await b.get<{ status: string; position: string }>(
      `/batches/REP-1?minPosition=${shipped.body.position}`,
      parties.miner, // the consignee is no participant until it receives the lot (docs/visibility.md)
    );

    expect(view.status).toBe(200);
    expect(view.body).toMatchObject({ batchId: 'REP-1', status: 'in_transit' });
    expect(BigInt(view.body.position)).toBeGreaterThanOrEqual(BigInt(shipped.body.position));
  });

  it('converges: after writes on both replicas, both serve identical views at the same position', async () => {
    const keyOnB = await b.organisation(
      'replica-miner',
      'AU',
      ['producer'],
      [{ facilityId: 'rep-mine', kind: 'mine' }],
    );
    // Both lots, whole, on both replicas: read by a regulator of the country they were mined in.
    const reader = await b.organisation('replica-customs', 'AU', ['regulator']);
    const written = await b.post<{ position: string }>('/batches/mined', keyOnB, {
      ...minedBatch('REP-2'),
      facilityId: 'rep-mine',
    });
    expect(written.status).toBe(201);
    const head = written.body.position;

    const [fromA, fromB] = await Promise.all(
      ['REP-1', 'REP-2'].flatMap((batchId) =>
        [a, b].map((replica) => replica.get(`/batches/${batchId}?minPosition=${head}`, reader)),
      ),
    ).then((replies) => [
      [replies[0], replies[2]],
      [replies[1], replies[3]],
    ]);

    for (const reply of [...fromA!, ...fromB!]) expect(reply!.status).toBe(200);
    expect(fromA!.map((reply) => reply!.body)).toEqual(fromB!.map((reply) => reply!.body));
    const [healthA, healthB] = await Promise.all([a.request('GET', '/health'), b.request('GET', '/health')]);
    expect(healthA.body).toMatchObject({ logPosition: head, viewsPosition: head });
    expect(healthB.body).toMatchObject({ logPosition: head, viewsPosition: head });
  });

  it('refuses an API key revoked through one replica on the next request to either', async () => {
    const registered = await a.post<{ keyId: string; apiKey: string }>('/orgs', ADMIN_TOKEN, {
      orgId: 'replica-keys',
      name: 'Replica Keys',
      country: 'AU',
      roles: ['auditor'], // reads every lot: a read shows whether its key works
    });
    expect(registered.status).toBe(201);
    const { keyId: oldKeyId, apiKey: oldKey } = registered.body;
    // Both replicas know the key (and have it cached) before it is revoked.
    for (const replica of [a, b]) expect((await replica.get('/batches/REP-1', oldKey)).status).toBe(200);
    const issued = await b.post<{ apiKey: string }>('/orgs/replica-keys/api-keys', oldKey, {});
    expect(issued.status).toBe(201);
    const revoked = await a.post(`/orgs/replica-keys/api-keys/${oldKeyId}/revoke`, issued.body.apiKey, {});
    expect(revoked.status).toBe(201);
    for (const replica of [a, b]) {
      await expectRefusal(await replica.get('/batches/REP-1', oldKey), 401, 'INVALID_API_KEY');
      expect((await replica.get('/batches/REP-1', issued.body.apiKey)).status).toBe(200);
    }
  });
});
