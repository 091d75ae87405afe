export * from './event-store.contract';
export * from './pact-schema';
export * from './kurrentdb';
export * from './ledger-writes';
export * from './projection-spec';
export * from './log-helpers';
export * from './ledger-fixture';
export * from './views-fixture';
