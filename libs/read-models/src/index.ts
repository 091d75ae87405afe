export * from './read-model-store';
export * from './memory-views';
export * from './replay-writer';
