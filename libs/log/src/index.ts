export * from './merkle';
export * from './checkpoint';
export * from './notary';
export * from './verify-log';
export * from './verify-log-file';
