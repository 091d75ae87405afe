import { InMemoryEventStore } from './in-memory/in-memory-event-store';
import { KurrentDbEventStore } from './kurrentdb/kurrentdb-event-store';
import { openEventStore } from './open-event-store';
import { SqliteEventStore } from './sqlite/sqlite-event-store';

describe('openEventStore', () => {
  it.each([
    ['memory:', InMemoryEventStore],
    ['sqlite::memory:', SqliteEventStore],
  ])('opens %s', async (url, adapter) => {
    const store = await openEventStore(url);
    try {
      expect(store).toBeInstanceOf(adapter);
      expect(await store.headPosition()).toBe(0n);
    } finally {
      await store.close();
    }
  });

  it.each([
    'kurrentdb://localhost:2113?tls=false',
    'esdb://localhost:2113',
    'kurrentdb+discover://a:2113',
    ' esdb+discover://admin:changeit@a:2113?tls=true ',
  ])('hands %s to the KurrentDB adapter', async (url) => {
    const connected = { headPosition: () => Promise.resolve(0n) } as KurrentDbEventStore;
    const connect = jest.spyOn(KurrentDbEventStore, 'connect').mockResolvedValue(connected);
    try {
      expect(await openEventStore(url)).toBe(connected);
      expect(connect).toHaveBeenCalledWith(url.trim());
    } finally {
      connect.mockRestore();
    }
  });

  it.each(['postgres://localhost/ledger', './data/ledger.sqlite', 'sqlite:', ''])(
    'refuses %j, listing the accepted forms',
    async (url) => {
      await expect(openEventStore(url)).rejects.toThrow(/sqlite:<path>.*\.db.*memory:/);
    },
  );
});
