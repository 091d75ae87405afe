import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { StoredEvent, StreamWrite } from './event-store.port';
import { positionAt } from './position-at';
import { SqliteEventStore } from './sqlite/sqlite-event-store';

const write = (stream: string, count: number): StreamWrite => ({
  stream,
  expectedRevision: 'any',
  events: Array.from({ length: count }, () => ({
    eventId: randomUUID(),
    type: 'Ticked',
    data: {},
    metadata: {},
  })),
});

// The SQLite store stamps each commit with the wall clock and takes no clock option, so the groups are
// spread out with real sleeps and the test reads back the times the store actually recorded.
describe('positionAt on a SQLite event store file', () => {
  let dir: string;
  let path: string;
  let log: StoredEvent[];
  const timeOf = (position: number) => Date.parse(log[position - 1]!.recordedAt);

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tracelode-position-at-'));
    path = join(dir, 'ledger.db');
    const store = SqliteEventStore.open(path);
    await store.append([write('a', 1)]); // 1
    await sleep(5);
    await store.append([write('b', 3)]); // 2..4
    await sleep(5);
    // 200 concurrent appends are group-committed, so many events share one commit's millisecond.
    await Promise.all(Array.from({ length: 200 }, (_, i) => store.append([write(`c-${i}`, 1)]))); // 5..204
    await sleep(5);
    await store.append([write('d', 2)]); // 205..206
    log = [];
    for await (const event of store.readAll()) log.push(event);
    await store.close();
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const positionAtMs = async (ms: number) => {
    const store = SqliteEventStore.open(path);
    try {
      return await positionAt(store, new Date(ms));
    } finally {
      await store.close();
    }
  };

  it('is 0n before the first event and the head after the last', async () => {
    expect(log).toHaveLength(206);
    expect(await positionAtMs(timeOf(1) - 1)).toBe(0n);
    expect(await positionAtMs(timeOf(206) + 1)).toBe(206n);
  });

  it('includes every event recorded exactly at the instant', async () => {
    expect(timeOf(2)).toBe(timeOf(4));
    expect(await positionAtMs(timeOf(1))).toBe(1n);
    expect(await positionAtMs(timeOf(4))).toBe(4n);
    expect(await positionAtMs(timeOf(206))).toBe(206n);
  });

  it('ends at the last of many events that share one millisecond', async () => {
    const shared = timeOf(204);
    const sharing = log.filter((event) => Date.parse(event.recordedAt) === shared);
    expect(sharing.length).toBeGreaterThan(10);

    expect(await positionAtMs(shared)).toBe(204n);
    expect(await positionAtMs(shared - 1)).toBe(sharing[0]!.position - 1n);
  });

  it('agrees with a scan of the file at every recorded instant', async () => {
    for (const instant of new Set(log.map((event) => Date.parse(event.recordedAt)))) {
      const scanned = BigInt(log.filter((event) => Date.parse(event.recordedAt) <= instant).length);
      expect(await positionAtMs(instant)).toBe(scanned);
    }
  });

  it('is 0n on an empty file', async () => {
    const empty = SqliteEventStore.open(join(dir, 'empty.db'));
    expect(await positionAt(empty, new Date())).toBe(0n);
    await empty.close();
  });
});
