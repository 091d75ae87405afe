import type { StoredEvent } from './event-store.port';

const TURN_END = Symbol('turn end');

/**
 * A subscription's events in batches: the first event to arrive, plus whatever else the subscription has
 * ready before the event loop's next turn (up to `max`). It never waits for new commits to fill a batch,
 * so a lone event is handed on at once and a burst is handled in few transactions. Ends with the
 * subscription (whoever stops the consumer calls the subscription's `return()`).
 */
export async function* batchesPerTurn(
  subscription: AsyncIterator<StoredEvent>,
  max: number,
  /** Gather for this long after the first event instead of until the next turn (for consumers off the request path). */
  gatherMs?: number,
): AsyncGenerator<StoredEvent[]> {
  let pending = subscription.next();
  try {
    for (let first = await pending; !first.done; first = await pending) {
      const batch = [first.value];
      pending = subscription.next();
      const turnEnd = new Promise<typeof TURN_END>((resolve) =>
        gatherMs === undefined ? setImmediate(resolve, TURN_END) : setTimeout(resolve, gatherMs, TURN_END),
      );
      while (batch.length < max) {
        const ready = await Promise.race([pending, turnEnd]);
        if (ready === TURN_END || ready.done) break;
        batch.push(ready.value);
        pending = subscription.next();
      }
      yield batch;
    }
  } finally {
    pending.catch(() => undefined); // a read that fails after the consumer stopped must not go unhandled
  }
}
