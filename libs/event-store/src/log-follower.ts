import { batchesPerTurn, Gather } from './batches-per-turn';
import type { EventStore, StoredEvent } from './event-store.port';

export interface FollowerBatching {
  /** Most events handed to `apply` at once. */
  readonly max: number;
  /**
   * Gather for this long after an event instead of until the event loop's next turn (a follower off the
   * request path); `hurry` cuts a gather short for a reader waiting on it.
   */
  readonly gatherMs?: number;
}

/**
 * Something that follows the log from where it got to (the projector, the notary): subscribes from the
 * position after `reached`, hands the events on in batches, lets callers wait until a position is
 * reached, and stops for good at the first batch it cannot apply (`error` says why).
 */
export abstract class LogFollower {
  private readonly waiters = new Set<{ position: bigint; resolve: (reached: boolean) => void }>();
  private subscription?: AsyncIterator<StoredEvent>;
  private running?: Promise<void>;
  private failure?: Error;
  private readonly gather?: Gather;
  /** The furthest position a reader has asked for by `hurry`: gathers end at once until it is reached. */
  private hurriedTo = 0n;

  protected constructor(
    protected readonly store: EventStore,
    private readonly batching: FollowerBatching,
  ) {
    if (batching.gatherMs !== undefined)
      this.gather = new Gather(batching.gatherMs, () => this.reached < this.hurriedTo);
  }

  /** The log position of the last event applied (0n before any). */
  protected abstract get reached(): bigint;

  /** Applies a batch of consecutive events; throwing stops the follower. */
  protected abstract apply(batch: readonly StoredEvent[]): void;

  /** Checks, before following, that what was reached belongs to this log; throwing stops the follower. */
  protected async checkReached(): Promise<void> {}

  /** Why the follower stopped, if it could not apply an event or read the log. */
  get error(): Error | undefined {
    return this.failure;
  }

  start(): void {
    if (this.running) return;
    const subscription = this.store.subscribeAll(this.reached + 1n)[Symbol.asyncIterator]();
    this.subscription = subscription;
    this.running = this.run(subscription);
  }

  private async run(subscription: AsyncIterator<StoredEvent>): Promise<void> {
    try {
      await this.checkReached();
      for await (const batch of batchesPerTurn(subscription, this.batching.max, this.gather)) {
        this.apply(batch);
        this.settleWaiters();
      }
    } catch (error) {
      this.failure = error instanceof Error ? error : new Error(String(error));
      for (const waiter of this.waiters) waiter.resolve(false);
    }
  }

  /** Resolves every waiter with false: the follower failed (a subclass following elsewhere says so). */
  protected failWaiters(): void {
    for (const waiter of this.waiters) waiter.resolve(false);
  }

  /** Resolves the waiters whose position is reached (a subclass may call it within a batch, too). */
  protected settleWaiters(): void {
    for (const waiter of this.waiters) if (this.reached >= waiter.position) waiter.resolve(true);
  }

  /**
   * Someone waits for `position`: until it is reached, batches are handed on at the next turn instead
   * of gathering (the gather under way ends now). A follower without a gather always does so.
   */
  hurry(position: bigint): void {
    if (position <= this.hurriedTo) return;
    this.hurriedTo = position;
    if (this.reached < position) this.gather?.cut();
  }

  /** Resolves true once `position` is reached, or false after `timeoutMs` or once the follower has failed. */
  waitFor(position: bigint | number, timeoutMs: number): Promise<boolean> {
    const target = BigInt(position);
    if (this.reached >= target) return Promise.resolve(true);
    if (this.error) return Promise.resolve(false);
    return new Promise((resolve) => {
      const waiter = {
        position: target,
        resolve: (reached: boolean) => {
          clearTimeout(timer);
          this.waiters.delete(waiter);
          resolve(reached);
        },
      };
      const timer = setTimeout(() => waiter.resolve(false), timeoutMs);
      this.waiters.add(waiter);
    });
  }

  async stop(): Promise<void> {
    await this.subscription?.return?.();
    await this.running;
    for (const waiter of this.waiters) waiter.resolve(false);
  }
}
