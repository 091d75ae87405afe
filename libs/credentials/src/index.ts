export * from './vc';
export * from './status-list';
export * from './identifiers';
export * from './product-passport';
export * from './traceability-events';
export * from './untp-shape';
