export * from './decider-spec';
export * from './event-store.contract';
