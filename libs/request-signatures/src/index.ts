export * from './content-digest';
export * from './keys';
export * from './signature';
