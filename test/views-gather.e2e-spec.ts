import { ADMIN_TOKEN, LedgerHarness, minedBatch } from './support/ledger-harness';

/**
 * The projector in the followers' worker gathers each batch of events (TRACELODE_VIEWS_GATHER_MS, ADR
 * 0029): here for a minute, far longer than the test. A read waiting for a write must cut the gather short
 * across the threads; were it not cut, the read would wait its 5 s and answer without the write (404), or
 * 503 VIEWS_BEHIND when given `minPosition`. Not run on KurrentDB (jest.config.js): the worker follows the
 * embedded store's file only.
 */
describe('the views gather in the worker, and a read hurries them', () => {
  let ledger: LedgerHarness;
  let miner: string;

  beforeAll(async () => {
    ledger = await LedgerHarness.start({ TRACELODE_VIEWS_GATHER_MS: '60000' });
    miner = await ledger.organisation(
      'gathermine',
      'AU',
      ['producer'],
      [{ facilityId: 'mt-weld', kind: 'mine' }],
    );
  });
  afterAll(() => ledger.stop());

  const health = async () =>
    (await ledger.request<{ logPosition: string; viewsPosition: string }>('GET', '/health')).body;

  it('leaves a write unprojected while nobody reads, then answers a read with it', async () => {
    const mined = await ledger.post('/batches/mined', miner, minedBatch('GATHER-1'));
    expect(mined.status).toBe(201);
    // The gather holds the event: the views are behind the log while no read waits.
    await new Promise((resolve) => setTimeout(resolve, 200));
    const before = await health();
    expect(BigInt(before.viewsPosition)).toBeLessThan(BigInt(before.logPosition));

    const read = await ledger.get<{ batchId: string }>('/batches/GATHER-1', miner);
    expect(read.status).toBe(200);
    expect(read.body.batchId).toBe('GATHER-1');
  });

  it('answers a read given the write’s position, and an audit bundle that waits for the notary too', async () => {
    const mined = await ledger.post<{ position: string }>('/batches/mined', miner, minedBatch('GATHER-2'));
    expect(mined.status).toBe(201);

    const read = await ledger.get<{ batchId: string }>(
      `/batches/GATHER-2?minPosition=${mined.body.position}`,
      miner,
    );
    expect(read.status).toBe(200);

    const bundle = await ledger.get<{ format: string }>('/batches/GATHER-2/audit-bundle', ADMIN_TOKEN);
    expect(bundle.status).toBe(200);
    expect(bundle.body.format).toBe('tracelode-audit-bundle/v1');
  });

  it('answers a read at once after a restart, while the views are behind what an earlier run wrote', async () => {
    const mined = await ledger.post<{ position: string }>('/batches/mined', miner, minedBatch('GATHER-3'));
    expect(mined.status).toBe(201);
    // Killed mid-gather: the views never saw the write; the new process has committed nothing yet.
    await new Promise((resolve) => setTimeout(resolve, 200));
    await ledger.kill();
    await ledger.launch();
    const before = await health();
    expect(BigInt(before.viewsPosition)).toBeLessThan(BigInt(mined.body.position));

    const read = await ledger.get(`/batches/GATHER-3?minPosition=${mined.body.position}`, miner);
    expect(read.status).toBe(200);
    expect((await ledger.get('/batches/GATHER-3', miner)).status).toBe(200);
    expect((await ledger.get('/batches/GATHER-3/audit-bundle', ADMIN_TOKEN)).status).toBe(200);
  });
});
