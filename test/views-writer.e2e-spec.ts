import Database from 'better-sqlite3';
import { join } from 'node:path';
import { LedgerHarness, standardParties } from './support/ledger-harness';

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

/** How long the test holds the views file's write lock: well inside the store's 5 s busy timeout. */
const LOCK_MS = 1500;

/**
 * The views file has one writer on the embedded store, the followers' worker (ADR 0029; ADR 0031,
 * amended): an EPCIS capture job is kept through it. Were it kept through the request thread's own
 * connection, that thread would wait — synchronously, better-sqlite3's busy wait — for whoever holds the
 * file's write lock (the projector, for each batch it applies), and every request would wait with it,
 * `/health` too. Here the test holds the lock itself. Not run on KurrentDB (jest.config.js): there the
 * projector runs on the request thread and nothing else writes the file.
 */
describe('the views file’s writer', () => {
  let ledger: LedgerHarness;
  let miner: string;

  beforeAll(async () => {
    ledger = await LedgerHarness.start({ TRACELODE_PUBLIC_URL: BASE });
    ({ miner } = await standardParties(ledger));
  });
  afterAll(() => ledger.stop());

  it('keeps a capture job without the request thread waiting for the write lock', async () => {
    // A first capture, so the one under test pays for no first use (the EPCIS schema's compilation).
    const first = await ledger.request('POST', '/epcis/capture', {
      token: miner,
      body: mining('WRITER-0'),
      headers: { 'content-type': 'application/ld+json' },
    });
    expect(first.status).toBe(202);
    // The views at the log's head, so the capture need not wait for the projector before it records.
    for (let tries = 0; ; tries++) {
      const { body } = await ledger.request<{ logPosition: string; viewsPosition: string }>('GET', '/health');
      if (body.viewsPosition === body.logPosition) break;
      if (tries === 100) throw new Error(`The views stayed behind the log: ${JSON.stringify(body)}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }

    const views = new Database(join(ledger.dir, 'views.db'));
    let released = 0;
    let answered = 0;
    try {
      views.exec('BEGIN IMMEDIATE');
      const capture = ledger
        .request<{ captureID: string; success: boolean }>('POST', '/epcis/capture', {
          token: miner,
          body: mining('WRITER-1'),
          headers: { 'content-type': 'application/ld+json' },
        })
        .then((reply) => ((answered = Date.now()), reply));

      // While the lock is held (the capture's events recorded, its job waiting to be kept), the server
      // answers at once.
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
      views.exec('COMMIT');
      released = Date.now();
      const reply = await capture;
      expect(reply.status).toBe(202);
      expect(reply.body.success).toBe(true);
      expect(answered).toBeGreaterThanOrEqual(released);

      const kept = await ledger.get<{ captureID: string }>(`/epcis/capture/${reply.body.captureID}`, miner);
      expect(kept.status).toBe(200);
      expect(kept.body.captureID).toBe(reply.body.captureID);
    } finally {
      if (views.inTransaction) views.exec('ROLLBACK');
      views.close();
    }
  });
});
