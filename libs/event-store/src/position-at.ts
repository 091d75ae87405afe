import type { EventStore, StoredEvent } from './event-store.port';
import { nextTurn } from './read-in-pages';

/**
 * The largest log position whose event was recorded at or before `time` (0n if none was): the log as it
 * stood at that instant. A binary search of O(log n) one-event reads, which relies on positions being
 * dense and recordedAt never decreasing along the log (each store stamps a commit with its clock; a clock
 * stepped back between commits would break the second assumption).
 */
export async function positionAt(store: EventStore, time: Date): Promise<bigint> {
  const instant = time.getTime();
  if (Number.isNaN(instant)) throw new RangeError('positionAt needs a valid Date');
  // Invariant: the event at `low` (0 standing for "before the log") was recorded at or before the
  // instant, and every event after `high` later than it.
  let low = 0n;
  let high = await store.headPosition();
  while (low < high) {
    const middle = (low + high + 1n) / 2n;
    const event = await eventAt(store, middle);
    // A store reads a page, not one event, per probe (SQLite: 500 parsed events): other requests go between.
    await nextTurn();
    if (event !== undefined && Date.parse(event.recordedAt) <= instant) low = middle;
    else high = middle - 1n;
  }
  return low;
}

/** The event at `position`, reading no further: the iterator is closed after its first event. */
async function eventAt(store: EventStore, position: bigint): Promise<StoredEvent | undefined> {
  const events = store.readAll(position)[Symbol.asyncIterator]();
  try {
    const first = await events.next();
    return first.done ? undefined : first.value;
  } finally {
    await events.return?.();
  }
}
