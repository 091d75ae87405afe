import Database from 'better-sqlite3';
import { join } from 'node:path';
import { askUntil } from './support/ask-until';
import { ADMIN_TOKEN, LedgerHarness, minedBatch, standardParties } from './support/ledger-harness';

/**
 * The views file's write lock held by another process for longer than the views' 5 s busy timeout (one of
 * the faults ADR 0028's amendment says the followers wait out: SQLITE_BUSY), on the embedded store, with
 * the followers in their worker (the default). The README's Shutdown: the followers get up to 3 s to reach
 * the head, then each stops between two of its transactions, and the server exits 0 within 10 s. Not run
 * on KurrentDB (jest.config.js): the worker runs only on the embedded store's files.
 */
describe('the views file locked by another process', () => {
  let ledger: LedgerHarness;
  let miner: string;

  beforeAll(async () => {
    ledger = await LedgerHarness.start();
    ({ miner } = await standardParties(ledger));
  });
  afterAll(() => ledger.stop());

  type Ready = { status: string; error?: { views?: { message?: string } } };

  it('exits 0 within 10 s when stopped while the projector waits out the lock', async () => {
    const db = new Database(join(ledger.dir, 'views.db'));
    try {
      db.exec('BEGIN IMMEDIATE');
      expect((await ledger.post('/batches/mined', miner, minedBatch('LOCKED-1'))).status).toBe(201);
      const interrupted = await askUntil(
        () => ledger.request<Ready>('GET', '/health/ready'),
        (reply) => /reading the log again/.test(reply.body.error?.views?.message ?? ''),
        20_000,
      );
      expect(interrupted.body.error?.views?.message).toMatch(/reading the log again after: .*locked/);
      // The followers' worker tells the server's thread, and the metrics say so too.
      const metrics = await ledger.request<string>('GET', '/metrics', { token: ADMIN_TOKEN });
      expect(metrics.status).toBe(200);
      expect(metrics.body).toMatch(/^tracelode_follower_state\{follower="views",state="interrupted"\} 1$/m);
      expect(metrics.body).toMatch(/^tracelode_follower_state\{follower="notary",state="following"\} 1$/m);
      expect(metrics.body).toMatch(/^tracelode_store_up 1$/m);

      // Within 10 s (four digits of milliseconds at most), with code 0.
      expect(await ledger.timedShutdown()).toMatch(/^exit 0 after \d{1,4} ms\n/);
    } finally {
      db.close();
    }
  });
});
