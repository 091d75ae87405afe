export * from './event-store.port';
export * from './event-store.errors';
export { InMemoryEventStore } from './in-memory/in-memory-event-store';
export {
  SqliteEventStore,
  type SqliteEventStoreOptions,
  type SqliteEventStoreStats,
  type SqliteSettings,
} from './sqlite/sqlite-event-store';
export { openEventStore, sqliteFileOf } from './open-event-store';
export { ownerOnlyDatabaseFile } from './sqlite/owner-only-file';
export { backupSqliteFile } from './sqlite/online-backup';
export { positionAt } from './position-at';
export {
  KURRENTDB_MINIMUM_VERSION,
  KurrentDbEventStore,
  METADATA_KEY,
} from './kurrentdb/kurrentdb-event-store';
export { validateAppend } from './validate-append';
export { batchesPerTurn, Gather } from './batches-per-turn';
export { asError, type FollowerBatching, isPassingFault, LogFollower } from './log-follower';
export * from './sealing/jcs';
export * from './sealing/event-hash';
export * from './sealing/sealing-event-store';
export * from './sealing/legacy-ledger';
export { newEventId } from './event-id';
