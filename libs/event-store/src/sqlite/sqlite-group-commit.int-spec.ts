import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AppendResult, StreamWrite } from '../event-store.port';
import { SqliteEventStore } from './sqlite-event-store';

const write = (stream: string): StreamWrite[] => [
  {
    stream,
    expectedRevision: 'no_stream',
    events: [{ eventId: randomUUID(), type: 'Recorded', data: {}, metadata: {} }],
  },
];
const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('SqliteEventStore group commit', () => {
  let dir: string;
  let store: SqliteEventStore;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'tracelode-group-commit-'));
    store = SqliteEventStore.open(join(dir, 'ledger.db'));
  });
  afterEach(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('lets appends that arrive over consecutive turns of the event loop share one commit', async () => {
    // A generous gather time: on a loaded machine five turns of the event loop can outlast the default 5 ms.
    await store.close();
    store = SqliteEventStore.open(join(dir, 'ledger.db'), { gatherMs: 1000 });
    const appends: Promise<AppendResult>[] = [];
    for (let i = 0; i < 5; i++) {
      appends.push(store.append(write(`s-${i}`)));
      await nextTurn();
    }
    const results = await Promise.all(appends);

    expect(store.stats).toEqual({ commits: 1, appends: 5, streamQueries: 0 });
    expect(results.map((result) => result.position)).toEqual([1n, 2n, 3n, 4n, 5n]);
  });

  it('does not hold a commit back while appends keep arriving', async () => {
    const started = performance.now();
    const first = store.append(write('first'));
    let firstCommittedAt = 0;
    void first.then(() => (firstCommittedAt = performance.now() - started));
    const later: Promise<AppendResult>[] = [];
    // Appends keep arriving, one a turn of the event loop, until the first commits (or 10 s pass): a group
    // commit that waited for a quiet moment would never commit the first while they arrive.
    for (let i = 0; firstCommittedAt === 0 && performance.now() - started < 10_000; i++) {
      later.push(store.append(write(`s-${i}`)));
      await nextTurn();
    }
    const committedWhileArriving = firstCommittedAt > 0;
    for (let i = 0; i < 20; i++) {
      later.push(store.append(write(`after-${i}`)));
      await nextTurn();
    }
    await Promise.all([first, ...later]);

    expect(committedWhileArriving).toBe(true);
    expect(store.stats.commits).toBeGreaterThan(1);
  });
});
