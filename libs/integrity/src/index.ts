export * from './jcs';
export * from './event-hash';
export * from './merkle';
export * from './http-signature';
