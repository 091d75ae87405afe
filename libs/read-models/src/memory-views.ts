import type { ViewTransaction } from './read-model-store';

/**
 * View documents kept as objects in memory, never serialised: the scratch views a read as of a moment or
 * an audit bundle projects its evidence into. Applying an event costs what the projection does, not the
 * size of the documents it touches (a 5,000-entry custody timeline is not re-written per event).
 * A document is handed back as stored: projections and readers never mutate what they are given.
 */
export class MemoryViews implements ViewTransaction {
  private readonly documents = new Map<string, unknown>();

  get<V>(collection: string, key: string): V | undefined {
    return this.documents.get(`${collection}\u0000${key}`) as V | undefined;
  }

  put<V>(collection: string, key: string, view: V): void {
    this.documents.set(`${collection}\u0000${key}`, view);
  }
}
