import { createServer, type Socket } from 'node:net';
import { KurrentDbWireServer } from '@tracelode/testing';
import { expectRefusal } from './support/expect-refusal';
import { askUntil } from './support/ask-until';
import { ADMIN_TOKEN, LedgerHarness, minedBatch, standardParties } from './support/ledger-harness';

/**
 * KurrentDB goes away and comes back (the wire-level test server stopped, then started again on the same
 * port with the same log) while the ledger runs: writes are refused as the store's unavailability while it
 * is away, and once it is back the ledger writes, its views and its notary follow the log again and it
 * says it is ready — without a restart.
 */
describe('the ledger on KurrentDB while KurrentDB goes away and comes back', () => {
  let wire: KurrentDbWireServer;
  let ledger: LedgerHarness;
  let parties: Awaited<ReturnType<typeof standardParties>>;

  beforeAll(async () => {
    wire = await new KurrentDbWireServer().start();
    ledger = await LedgerHarness.start({
      TRACELODE_STORE: wire.connectionString,
      // A checkpoint a second, so one covering the first write after the outage comes soon.
      TRACELODE_CHECKPOINT_SECONDS: '1',
    });
    parties = await standardParties(ledger);
  });
  afterAll(async () => {
    await ledger?.stop();
    wire?.stop();
  });
  const metrics = () => ledger.request<string>('GET', '/metrics', { token: ADMIN_TOKEN });

  it('refuses writes while KurrentDB is away, and writes, projects and notarises again once it is back', async () => {
    const before = await ledger.post<{ position: string }>(
      '/batches/mined',
      parties.miner,
      minedBatch('OUT-1'),
    );
    expect(before.status).toBe(201);

    const port = wire.port;
    wire.stop();
    const away = await ledger.post('/batches/mined', parties.miner, minedBatch('OUT-2'));
    await expectRefusal(away, 503, 'STORE_UNAVAILABLE');
    expect(away.headers.get('retry-after')).toMatch(/^\d+$/);
    expect((await ledger.request('GET', '/health/ready')).status).toBe(503);

    await wire.start(port);
    const after = await askUntil(
      () => ledger.post<{ position: string }>('/batches/mined', parties.miner, minedBatch('OUT-3')),
      (reply) => reply.status === 201,
      30_000,
    );
    expect(after.status).toBe(201);
    const position = after.body.position;

    // The views follow the log again: the new lot is read back.
    const view = await ledger.get<{ batchId: string }>(
      `/batches/OUT-3?minPosition=${position}`,
      parties.miner,
    );
    expect(view.status).toBe(200);
    expect(view.body.batchId).toBe('OUT-3');
    // The notary follows it again: a checkpoint covers the new event.
    const checkpoint = await askUntil(
      () => ledger.get<{ treeSize: number }>('/log/checkpoint', parties.regulator),
      (reply) => reply.status === 200 && BigInt(reply.body.treeSize) >= BigInt(position),
      30_000,
    );
    expect(checkpoint.status).toBe(200);
    expect(BigInt(checkpoint.body.treeSize)).toBeGreaterThanOrEqual(BigInt(position));
    // And it says so.
    const ready = await askUntil(
      () => ledger.request('GET', '/health/ready'),
      (reply) => reply.status === 200,
      30_000,
    );
    expect(ready.status).toBe(200);
    expect((await ledger.request('GET', '/health')).status).toBe(200);
  });

  it('is ready again once KurrentDB is back, without a write to wake its followers', async () => {
    const port = wire.port;
    wire.stop();
    const away = await askUntil(
      () => ledger.request('GET', '/health/ready'),
      (reply) => reply.status === 503,
      15_000,
    );
    expect(away.status).toBe(503);
    // The metrics answer through the outage: the store down, the followers reading the log again.
    const during = await askUntil(
      metrics,
      (reply) => /^tracelode_follower_state\{follower="views",state="interrupted"\} 1$/m.test(reply.body),
      15_000,
    );
    expect(during.status).toBe(200);
    expect(during.body).toMatch(/^tracelode_store_up 0$/m);
    expect(during.body).toMatch(/^tracelode_follower_state\{follower="notary",state="interrupted"\} 1$/m);
    await wire.start(port);
    // KurrentDB answers again (the store's part of readiness is up), the followers resubscribe within their
    // pause (at most 5 s), and nothing new is in the log for them to apply: they follow it all the same.
    const ready = await askUntil(
      () => ledger.request<{ error?: unknown }>('GET', '/health/ready'),
      (reply) => reply.status === 200,
      20_000,
    );
    expect({ status: ready.status, error: ready.body.error }).toEqual({ status: 200, error: {} });
    const back = await metrics();
    expect(back.status).toBe(200);
    expect(back.body).toMatch(/^tracelode_store_up 1$/m);
    expect(back.body).toMatch(/^tracelode_follower_state\{follower="views",state="following"\} 1$/m);
    expect(back.body).toMatch(/^tracelode_follower_state\{follower="notary",state="following"\} 1$/m);
  });

  it('exits 0 within 10 s when stopped while KurrentDB does not answer (connections accepted, never served)', async () => {
    const port = wire.port;
    wire.stop();
    const sockets = new Set<Socket>();
    const blackhole = createServer((socket) => sockets.add(socket));
    await new Promise<void>((resolve) => blackhole.listen(port, '127.0.0.1', resolve));
    try {
      await askUntil(
        () => ledger.request('GET', '/health/ready'),
        (reply) => reply.status === 503,
        15_000,
      );
      await new Promise((resolve) => setTimeout(resolve, 1_000)); // the followers' subscriptions fail meanwhile
      // A scrape waits at most 2 s for a head that never comes, and answers.
      const scrape = await metrics();
      expect(scrape.status).toBe(200);
      expect(scrape.body).toMatch(/^tracelode_store_up 0$/m);
      // Within 10 s (four digits of milliseconds at most), with code 0.
      expect(await ledger.timedShutdown()).toMatch(/^exit 0 after \d{1,4} ms\n/);
    } finally {
      for (const socket of sockets) socket.destroy();
      blackhole.close();
    }
  });
});
