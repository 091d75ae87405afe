import type { StoredEvent } from './event-store.port';

const TURN_END = Symbol('turn end');

/**
 * How long a consumer off the request path gathers after a batch's first event, and how a reader that
 * waits for it cuts that short (`LogFollower.hurry`). Gathering makes fewer, larger transactions: the
 * same pages of a B-tree are written once for many events instead of once per commit.
 */
export class Gather {
  private cutNow?: () => void;

  /**
   * `urgent`: asked as each gather begins; true hands that batch on at the next turn instead, as a
   * consumer without a gather does (someone is waiting for what it holds).
   */
  constructor(
    readonly ms: number,
    private readonly urgent: () => boolean = () => false,
  ) {}

  /** Ends the gather under way, if any: its batch is handed on at once. */
  cut(): void {
    const cut = this.cutNow;
    this.cutNow = undefined;
    cut?.();
  }

  /** @internal Resolves when this batch's gather ends: after `ms`, at the next turn if urgent, or when cut. */
  end(): Promise<typeof TURN_END> {
    if (this.urgent()) return nextTurn();
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.cutNow = undefined;
        resolve(TURN_END);
      }, this.ms);
      this.cutNow = () => {
        clearTimeout(timer);
        resolve(TURN_END);
      };
    });
  }
}

const nextTurn = () => new Promise<typeof TURN_END>((resolve) => setImmediate(resolve, TURN_END));

/**
 * A subscription's events in batches: the first event to arrive, plus whatever else the subscription has
 * ready before the event loop's next turn (up to `max`), or, given `gathering`, before that gather ends. Without
 * one it never waits for new commits to fill a batch, so a lone event is handed on at once and a burst is
 * handled in few transactions. Ends with the subscription (whoever stops the consumer calls the
 * subscription's `return()`).
 */
export async function* batchesPerTurn(
  subscription: AsyncIterator<StoredEvent>,
  max: number,
  /** For consumers off the request path: gather after the first event as this says, not until the next turn. */
  gathering?: Gather,
): AsyncGenerator<StoredEvent[]> {
  let pending = subscription.next();
  try {
    for (let first = await pending; !first.done; first = await pending) {
      const batch = [first.value];
      pending = subscription.next();
      const turnEnd = gathering ? gathering.end() : nextTurn();
      while (batch.length < max) {
        const ready = await Promise.race([pending, turnEnd]);
        if (ready === TURN_END || ready.done) break;
        batch.push(ready.value);
        pending = subscription.next();
      }
      // A batch filled (or a subscription ended) before its gather did: the timer goes with it.
      gathering?.cut();
      yield batch;
    }
  } finally {
    gathering?.cut(); // a read that failed mid-gather leaves no timer behind
    pending.catch(() => undefined); // a read that fails after the consumer stopped must not go unhandled
  }
}
