import type { LedgerEvent } from '@tracelode/domain';
import type { StoredEvent } from '@tracelode/event-store';

/**
 * A pure projection onto JSON documents: which document an event changes, and how.
 * The runner loads the document, calls `evolve`, and stores the result; a projection never does I/O.
 */
export interface DocumentProjection<V> {
  readonly collection: string;
  keyOf(event: LedgerEvent): string | undefined;
  evolve(view: V | undefined, event: LedgerEvent, stored: StoredEvent): V;
}

/** A stored event read as the domain's event union. Unknown types pass through and match no projection. */
export const toLedgerEvent = (stored: StoredEvent): LedgerEvent =>
  ({ type: stored.type, data: stored.data }) as LedgerEvent;
