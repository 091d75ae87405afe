export * from './jcs';
export * from './event-hash';
export * from './merkle';
export * from './http-signature';
export * from './sealing-event-store';
export * from './checkpoint';
