export * from './decider-spec';
export * from './event-store.contract';
export * from './pact-schema';
export * from './kurrentdb';
export * from './ledger-writes';
export * from './log-helpers';
