export * from './kurrentdb-wire-server';
