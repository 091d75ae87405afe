import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LedgerHarness, minedBatch } from './support/ledger-harness';

/**
 * A views file reflects the log it was projected from. Given a log that holds less (a ledger file swapped,
 * a KurrentDB database replaced), it would answer for lots this log never had and never project this log's
 * first events: the server refuses to start, naming the file and what to do.
 */
describe('a views file built from another log', () => {
  let dir: string;
  beforeAll(() => (dir = mkdtempSync(join(tmpdir(), 'tracelode-other-views-'))));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('is refused at start with the positions and the way out; the log it belongs to still starts on it', async () => {
    const views = join(dir, 'views.db');
    const first = await LedgerHarness.start({
      TRACELODE_STORE: `sqlite:${join(dir, 'first.db')}`,
      TRACELODE_VIEWS: views,
    });
    const miner = await first.organisation(
      'otherviews',
      'AU',
      ['producer'],
      [{ facilityId: 'mt-weld', kind: 'mine' }],
    );
    const mined = await first.post<{ position: string }>('/batches/mined', miner, minedBatch('OTHER-1'));
    expect(mined.status).toBe(201);
    // Read back through the views: they reflect the whole log.
    expect((await first.get(`/batches/OTHER-1?minPosition=${mined.body.position}`, miner)).status).toBe(200);
    await first.stop();

    await expect(
      LedgerHarness.start({ TRACELODE_STORE: `sqlite:${join(dir, 'second.db')}`, TRACELODE_VIEWS: views }),
    ).rejects.toThrow(
      new RegExp(
        `The views file ${views.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} reflects a log up to position ${mined.body.position}, but this log's head is 0: it was built from another log`,
      ),
    );

    const again = await LedgerHarness.start({
      TRACELODE_STORE: `sqlite:${join(dir, 'first.db')}`,
      TRACELODE_VIEWS: views,
    });
    try {
      expect((await again.get('/batches/OTHER-1', miner)).status).toBe(200);
    } finally {
      await again.stop();
    }
  });
});
