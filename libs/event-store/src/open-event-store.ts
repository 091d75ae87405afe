import type { EventStore } from './event-store.port';
import { InMemoryEventStore } from './in-memory/in-memory-event-store';
import { KurrentDbEventStore } from './kurrentdb/kurrentdb-event-store';
import { refuseLegacyLedger } from './sealing/legacy-ledger';
import { SqliteEventStore } from './sqlite/sqlite-event-store';

const ACCEPTED =
  'sqlite:<path> (e.g. sqlite:./data/ledger.db), a path ending in .db, kurrentdb://host:2113?tls=false (or esdb://), or memory:';

/**
 * Opens the store a configuration URL names (TRACELODE_STORE), so the store is chosen without code changes.
 * A store holding events of an earlier hash scheme is refused here, naming it (`LegacyLedgerError`).
 */
export async function openEventStore(
  url: string,
  options: { readonly sqliteWriter?: 'thread' | 'worker' } = {},
): Promise<EventStore> {
  const trimmed = url.trim();
  // KurrentDB / EventStoreDB connection strings; TLS and credentials travel in them (see ADR 0009).
  const kurrent = /^(kurrentdb|esdb)(\+discover)?:\/\//i.test(trimmed);
  const store = kurrent ? await KurrentDbEventStore.connect(trimmed) : open(trimmed, options.sqliteWriter);
  try {
    await refuseLegacyLedger(store, nameOf(trimmed, kurrent));
  } catch (error) {
    await store.close();
    throw error;
  }
  return store;
}

/** How a refusal names the store: the ledger file, or the KurrentDB address without its credentials. */
function nameOf(url: string, kurrent: boolean): string {
  if (kurrent) return `The KurrentDB store ${url.replace(/\/\/[^@/]*@/, '//').replace(/\?.*$/, '')}`;
  const path = url.startsWith('sqlite:') ? url.slice('sqlite:'.length).replace(/^\/\//, '') : url;
  return `The ledger file ${path}`;
}

/** `writer`: where a SQLite file's group commits run (ADR 0037); a store in memory keeps them on this thread. */
function open(url: string, writer: 'thread' | 'worker' = 'thread'): EventStore {
  if (url === 'memory:') return new InMemoryEventStore();
  const path = sqliteFileOf(url);
  if (path !== undefined)
    return SqliteEventStore.open(path, { writer: path === ':memory:' ? 'thread' : writer });
  throw new Error(`Unrecognised event store URL "${url}"; expected ${ACCEPTED}`);
}

/** The file of a SQLite store URL (`sqlite:<path>`, possibly `:memory:`, or a path ending in .db); undefined for any other store. */
export function sqliteFileOf(url: string): string | undefined {
  const trimmed = url.trim();
  if (trimmed.startsWith('sqlite:')) {
    // sqlite:///abs/path.db and sqlite://rel/path.db are read like sqlite:/abs/path.db and sqlite:rel/path.db.
    const path = trimmed.slice('sqlite:'.length).replace(/^\/\//, '');
    if (path === '') throw new Error(`Event store URL "${url}" has no file path; expected ${ACCEPTED}`);
    return path;
  }
  return trimmed.endsWith('.db') ? trimmed : undefined;
}
