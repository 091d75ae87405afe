export * from './evidence';
export * from './audit-bundle';
export * from './assemble-audit-bundle';
export * from './verify-audit-bundle';
export * from './pace';
export * from './withhold';
export * from './withheld-views';
