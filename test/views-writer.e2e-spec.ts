import Database from 'better-sqlite3';
import { join } from 'node:path';
import { ADMIN_TOKEN, LedgerHarness, minedBatch, standardParties } from './support/ledger-harness';

const BASE = 'https://ledger.example.org';

const mining = (batchId: string) => ({
  '@context': ['https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld'],
  type: 'EPCISDocument',
  schemaVersion: '2.0',
  creationDate: '2026-03-20T00:00:00Z',
  epcisBody: {
    eventList: [
      {
        type: 'ObjectEvent',
        action: 'ADD',
        bizStep: 'commissioning',
        eventTime: '2026-03-01T08:00:00+08:00',
        eventTimeZoneOffset: '+08:00',
        quantityList: [{ epcClass: `${BASE}/batches/${batchId}`, quantity: 1000.5, uom: 'KGM' }],
        bizLocation: { id: `${BASE}/orgs/mineco/facilities/mt-weld` },
        ilmd: { 'tl:form': 'concentrate', 'tl:elements': ['Nd', 'Pr'], 'tl:grade': { TREO: 41.2 } },
      },
    ],
  },
});

/** How long the test holds a file's write lock: well inside the store's 5 s busy timeout. */
const LOCK_MS = 1500;

/**
 * The views file and the notary's file each have one writer on the embedded store, the followers' worker
 * (ADR 0029; ADR 0031, amended): an EPCIS capture job is kept, and a checkpoint an audit bundle needs is
 * signed, through it. Were either written through the request thread's own connection, that thread would
 * wait — synchronously, better-sqlite3's busy wait — for whoever holds the file's write lock (the
 * projector or the notary, for each batch it applies), and every request would wait with it, `/health`
 * too. Here the test holds the lock itself. Not run on KurrentDB (jest.config.js): there the followers
 * run on the request thread and nothing else writes the files.
 */
describe('the writers of the views and the notary’s files', () => {
  let ledger: LedgerHarness;
  let miner: string;

  beforeAll(async () => {
    // No checkpoint signed on the notary's own schedule: an audit bundle must have one signed for it.
    ledger = await LedgerHarness.start({ TRACELODE_PUBLIC_URL: BASE, TRACELODE_CHECKPOINT_SECONDS: '3600' });
    ({ miner } = await standardParties(ledger));
  });
  afterAll(() => ledger.stop());

  /** Until the views and the notary hold the whole log. */
  async function caughtUp(): Promise<string> {
    for (let tries = 0; ; tries++) {
      const { body } = await ledger.request<{ logPosition: string; viewsPosition: string; treeSize: number }>(
        'GET',
        '/health',
      );
      if (body.viewsPosition === body.logPosition && String(body.treeSize) === body.logPosition)
        return body.logPosition;
      if (tries === 100) throw new Error(`The followers stayed behind the log: ${JSON.stringify(body)}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  /**
   * Holds `file`'s write lock for LOCK_MS while `request` is under way: the server answers `/health/live`
   * at once throughout, and `request` only once the lock is released.
   */
  async function whileLocked<T>(file: string, request: () => Promise<T>): Promise<T> {
    const db = new Database(join(ledger.dir, file));
    try {
      db.exec('BEGIN IMMEDIATE');
      let answered = 0;
      const pending = request().then((reply) => ((answered = Date.now()), reply));
      const started = Date.now();
      const latencies: number[] = [];
      while (Date.now() - started < LOCK_MS - 300) {
        const asked = Date.now();
        expect((await ledger.request('GET', '/health/live')).status).toBe(200);
        latencies.push(Date.now() - asked);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      expect(answered).toBe(0);
      expect(latencies.length).toBeGreaterThan(3);
      expect(Math.max(...latencies)).toBeLessThan(250);
      await new Promise((resolve) => setTimeout(resolve, started + LOCK_MS - Date.now()));
      db.exec('COMMIT');
      const released = Date.now();
      const reply = await pending;
      expect(answered).toBeGreaterThanOrEqual(released);
      return reply;
    } finally {
      if (db.inTransaction) db.exec('ROLLBACK');
      db.close();
    }
  }

  it('answers a capture id on a file that has kept no job yet at once, while the write lock is held', async () => {
    const db = new Database(join(ledger.dir, 'views.db'));
    try {
      db.exec('BEGIN IMMEDIATE');
      const asked = Date.now();
      const reply = await ledger.get<{ code: string }>(
        '/epcis/capture/0123456789abcdef0123456789abcdef',
        miner,
      );
      expect(reply.status).toBe(404);
      expect(reply.body.code).toBe('EPCIS_CAPTURE_NOT_FOUND');
      expect(Date.now() - asked).toBeLessThan(1000);
    } finally {
      if (db.inTransaction) db.exec('ROLLBACK');
      db.close();
    }
  });

  it('keeps a capture job without the request thread waiting for the write lock', async () => {
    // A first capture, so the one under test pays for no first use (the EPCIS schema's compilation).
    const first = await ledger.request('POST', '/epcis/capture', {
      token: miner,
      body: mining('WRITER-0'),
      headers: { 'content-type': 'application/ld+json' },
    });
    expect(first.status).toBe(202);
    // The views at the log's head, so the capture need not wait for the projector before it records.
    await caughtUp();

    const reply = await whileLocked('views.db', () =>
      ledger.request<{ captureID: string; success: boolean }>('POST', '/epcis/capture', {
        token: miner,
        body: mining('WRITER-1'),
        headers: { 'content-type': 'application/ld+json' },
      }),
    );
    expect(reply.status).toBe(202);
    expect(reply.body.success).toBe(true);
    const kept = await ledger.get<{ captureID: string }>(`/epcis/capture/${reply.body.captureID}`, miner);
    expect(kept.status).toBe(200);
    expect(kept.body.captureID).toBe(reply.body.captureID);
  });

  it('has an audit bundle’s checkpoint signed without the request thread waiting for the write lock', async () => {
    const mined = await ledger.post<{ position: string }>('/batches/mined', miner, minedBatch('WRITER-B'));
    expect(mined.status).toBe(201);
    const head = await caughtUp();

    const bundle = await whileLocked('integrity.db', () =>
      ledger.get<{ checkpoint: { treeSize: number } }>('/batches/WRITER-B/audit-bundle', ADMIN_TOKEN),
    );
    expect(bundle.status).toBe(200);
    expect(bundle.body.checkpoint.treeSize).toBe(Number(head));
  });
});
