import { decodeEvent, type LedgerEvent } from '@tracelode/domain';
import type { StoredEvent } from '@tracelode/event-store';

/** Reads a document as it stands in the runner's transaction; the value is a copy, never the stored one. */
export type ViewLookup = (collection: string, key: string) => unknown;

/** A lookup that finds nothing: for callers (tests) that evolve a projection outside the runner. */
export const NO_VIEWS: ViewLookup = () => undefined;

/**
 * A pure projection onto JSON documents: which document an event changes, and how.
 * The runner loads the document, calls `evolve`, and stores the result; a projection never does I/O.
 * `lookup` lets a document be computed from other documents (a produced batch from its inputs' views)
 * instead of from the whole log, so the cost of an event is bounded by what it names.
 */
export interface DocumentProjection<V> {
  readonly collection: string;
  /** `stored` is the event as the log holds it (its id, stream and position), for an index by event id. */
  keyOf(event: LedgerEvent, stored?: StoredEvent): string | undefined;
  /**
   * The document after the event. `owned`: the runner hands `view` over (nothing else holds it, and it is
   * dropped once `evolve` returns), so a long list in it may be extended in place rather than copied per
   * event; without it, `evolve` must leave `view` as it was.
   */
  /**
   * Other documents of the collection the event changes, each with how (a hold: every descendant's);
   * absent for the usual projection, whose event changes the one document `keyOf` names.
   */
  alsoChanges?(
    event: LedgerEvent,
    lookup: ViewLookup,
    stored: StoredEvent,
  ): Iterable<readonly [key: string, change: (view: V | undefined) => V]>;
  /**
   * The document's index terms (`status:held`, `org:mineco`), kept beside it for list queries
   * (`ReadModelStore.keysByTerms`); absent for a document nobody lists.
   */
  termsOf?(view: V): readonly string[];
  evolve(
    view: V | undefined,
    event: LedgerEvent,
    stored: StoredEvent,
    lookup?: ViewLookup,
    owned?: boolean,
  ): V;
}

/** A stored event read as the domain's event union (the one decode). Unknown types match no projection. */
export const toLedgerEvent = (stored: StoredEvent): LedgerEvent => decodeEvent(stored).event;
