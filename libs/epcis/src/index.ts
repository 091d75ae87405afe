export * from './epcis.types';
export * from './identifiers';
export * from './to-epcis';
export * from './from-epcis';
export * from './epcis-schema';
export * from './index-rows';
