import { batchesPerTurn, Gather } from './batches-per-turn';
import { CorruptEventError, EventStoreUnavailableError } from './event-store.errors';
import type { EventStore, StoredEvent } from './event-store.port';

const STOPPED = Symbol('stopped');

/** The first pause before a follower reads the log again after a failed read, doubled each time up to… */
const RETRY_FIRST_MS = 250;
/** …this. */
const RETRY_MOST_MS = 5_000;

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
 * reached, tries again when a read of the log fails (`interruption` says why), and stops for good at
 * the first batch it cannot apply (`error` says why).
 */
export abstract class LogFollower {
  private readonly waiters = new Set<{ position: bigint; resolve: (reached: boolean) => void }>();
  private subscription?: AsyncIterator<StoredEvent>;
  private running?: Promise<void>;
  private failure?: Error;
  private interrupted?: Error;
  private stopped = false;
  private signalStop: () => void = () => undefined;
  /** Resolves when the follower is stopped: a wait for the store ends with it. */
  private readonly stopping = new Promise<typeof STOPPED>((resolve) => {
    this.signalStop = () => resolve(STOPPED);
  });
  private readonly interruptionListeners = new Set<(interruption: Error | undefined) => void>();
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

  /** Why the follower stopped for good: an event it could not apply, a check that failed, a corrupt event. */
  get error(): Error | undefined {
    return this.failure;
  }

  /**
   * Why the follower is not following the log just now, while it tries again (the store went away, its
   * subscription ended, its own file could not take a batch): cleared by the next batch it applies, or, with
   * nothing new to apply, once a new subscription finds it at the store's head.
   */
  get interruption(): Error | undefined {
    return this.interrupted;
  }

  /** Calls `listener` when an interruption begins (with why) and when it ends (undefined). */
  onInterruption(listener: (interruption: Error | undefined) => void): void {
    this.interruptionListeners.add(listener);
  }

  start(): void {
    if (this.running) return;
    this.running = this.run();
  }

  /** Begins an interruption (with why) or ends it (undefined); a subclass's own work may fail that way too. */
  protected interrupt(interruption: Error | undefined): void {
    const before = this.interrupted;
    this.interrupted = interruption;
    // Told when it begins, when its reason changes and when it ends; not at each try of one reason.
    if (before?.message === interruption?.message) return;
    for (const listener of this.interruptionListeners) listener(interruption);
  }

  /**
   * Follows the log from where it got to. A read of the log that fails (the store is away: KurrentDB
   * restarted, a network fault), a subscription that ends unasked, or a batch the follower's own file
   * cannot take just now (a full disk, a read-only file) is tried again from the last event applied, after
   * a pause that doubles from `RETRY_FIRST_MS` to `RETRY_MOST_MS`; an event the follower cannot apply
   * otherwise, a failed check of what it reached, or an event the store reads as corrupt stops it for good
   * (`error`).
   */
  private async run(): Promise<void> {
    let pause = RETRY_FIRST_MS;
    let checked = false;
    while (!this.stopped) {
      let subscription: AsyncIterator<StoredEvent> | undefined;
      let applying = false;
      try {
        subscription = this.store.subscribeAll(this.reached + 1n)[Symbol.asyncIterator]();
        this.subscription = subscription;
        if (!checked) {
          if ((await this.unlessStopped(this.checkReached())) === STOPPED) return;
          checked = true;
        }
        // Back after an interruption with nothing new to apply: no batch will come to say it follows again.
        if (this.interrupted) {
          const head = await this.unlessStopped(this.store.headPosition());
          if (head === STOPPED) return;
          if (this.reached >= head) this.interrupt(undefined);
        }
        for await (const batch of batchesPerTurn(subscription, this.batching.max, this.gather)) {
          applying = true;
          this.apply(batch);
          applying = false;
          this.interrupt(undefined);
          pause = RETRY_FIRST_MS;
          this.settleWaiters();
        }
        if (this.stopped) return;
        this.interrupt(new Error('The subscription to the log ended'));
      } catch (error) {
        if (this.stopped) return;
        const failure = asError(error);
        if (!passing(failure, { applying, checked })) return this.fail(failure);
        this.interrupt(failure);
      } finally {
        await subscription?.return?.().catch(() => undefined);
      }
      await this.rest(pause);
      pause = Math.min(pause * 2, RETRY_MOST_MS);
    }
  }

  private fail(failure: Error): void {
    this.failure = failure;
    this.interrupt(undefined);
    for (const waiter of this.waiters) waiter.resolve(false);
  }

  /** `work`'s outcome, or STOPPED as soon as the follower is stopped (a store that never answers). */
  private unlessStopped<T>(work: Promise<T>): Promise<T | typeof STOPPED> {
    return Promise.race([work, this.stopping]);
  }

  /** Waits `ms` before the next try, or less if the follower is stopped meanwhile. */
  private async rest(ms: number): Promise<void> {
    // Unref'd: a follower never stopped does not keep the process alive.
    const pause = new Promise<void>((resolve) => setTimeout(resolve, ms).unref());
    await this.unlessStopped(pause);
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
    this.stopped = true;
    this.signalStop();
    await this.subscription?.return?.();
    await this.running;
    for (const waiter of this.waiters) waiter.resolve(false);
  }
}

/**
 * SQLite's codes for a file that cannot be written or read just now (a full disk, a file made read-only, an
 * I/O error, a lock held too long, no memory): a projection or the notary failing with one of these on its
 * own file is not wrong about the event, and its transaction was rolled back whole.
 */
const PASSING_SQLITE_CODES = /^SQLITE_(FULL|READONLY|IOERR|BUSY|LOCKED|CANTOPEN|NOMEM)/;

/**
 * Whether a follower's failure may pass, so it reads the log again from where it got to: the store could
 * not be read (any failed read of the log, unless the store read an event as corrupt, which no second read
 * mends), or the follower's own file could not be written just now. An event the follower cannot apply for
 * any other reason, or a check of what it reached that found something wrong, stops it for good.
 */
function passing(failure: Error, where: { applying: boolean; checked: boolean }): boolean {
  if (failure instanceof CorruptEventError) return false;
  if (isPassingFault(failure)) return true;
  return !where.applying && where.checked;
}

/**
 * A fault that may pass whatever it happened to: the store could not be reached, or a SQLite file could
 * not be written or read just now (`PASSING_SQLITE_CODES`). A follower's `apply` rethrows one at once
 * rather than trying its events one by one: each would meet it again.
 */
export function isPassingFault(error: unknown): boolean {
  if (error instanceof EventStoreUnavailableError) return true;
  const code = (error as { code?: unknown } | undefined)?.code;
  return typeof code === 'string' && PASSING_SQLITE_CODES.test(code);
}

/**
 * The error as it is when it is one — also one made in another realm (a native module's, under a test
 * runner's sandbox), which `instanceof Error` does not know, and whose `code` the fault check reads —
 * else an Error saying what was thrown.
 */
export function asError(error: unknown): Error {
  if (error instanceof Error) return error;
  if (typeof error === 'object' && error !== null && typeof (error as Error).message === 'string')
    return error as Error;
  return new Error(String(error));
}
