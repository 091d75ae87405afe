import { v7 } from 'uuid';

/**
 * A new event's id: a UUID version 7 (RFC 9562), the millisecond it was made followed by random bits
 * (ADR 0038). Ids made one after another sort one after another, so each new id lands at the end of the
 * indexes keyed by it (the log's `event_id`, the views' event locations) instead of on a random page of
 * each: fewer pages written a commit. The id shows when the ledger made the event, to the millisecond.
 */
export const newEventId = (): string => v7();
