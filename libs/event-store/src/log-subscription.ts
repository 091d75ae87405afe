import type { StoredEvent } from './event-store.port';
import { nextTurn, PAGE_SIZE, type ReadPage } from './read-in-pages';

/**
 * Catch-up-then-live iterator over the log. It keeps its own cursor (the next position) and, whenever it
 * runs dry, sleeps until a local commit notifies it or the poll timer fires, then reads on from the
 * cursor. Positions are gap-free and committed in order, so reading by position never skips an event
 * committed during catch-up and never repeats one.
 */
export class LogSubscription implements AsyncIterableIterator<StoredEvent> {
  private cursor: bigint;
  private page: StoredEvent[] = [];
  private index = 0;
  private ended = false;
  private wake: (() => void) | undefined;
  private timer: NodeJS.Timeout | undefined;
  private pulling: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly readPage: ReadPage,
    from: bigint,
    private readonly onEnd: (subscription: LogSubscription) => void,
    /** Undefined: only local commits wake it (nothing else can write). */
    private readonly pollIntervalMs?: number,
  ) {
    this.cursor = from < 1n ? 1n : from;
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  next(): Promise<IteratorResult<StoredEvent>> {
    // Overlapping next() calls are served one after the other so that they never share a page or a wake-up.
    const result = this.pulling.then(() => this.pull());
    this.pulling = result.catch(() => undefined);
    return result;
  }

  return(): Promise<IteratorResult<StoredEvent>> {
    this.end();
    return Promise.resolve({ value: undefined, done: true });
  }

  /** Events may have been committed since the last read. */
  notify(): void {
    this.wake?.();
  }

  end(): void {
    if (this.ended) return;
    this.ended = true;
    this.page = [];
    this.onEnd(this);
    this.wake?.();
  }

  private async pull(): Promise<IteratorResult<StoredEvent>> {
    try {
      while (!this.ended) {
        const event = this.page[this.index++];
        if (event !== undefined) {
          this.cursor = event.position + 1n;
          return { value: event, done: false };
        }
        if (this.page.length === PAGE_SIZE) {
          await nextTurn();
          if (this.ended) break;
        }
        this.page = this.readPage(this.cursor, PAGE_SIZE);
        this.index = 0;
        // Read and sleep in the same turn: a commit after the read is bound to find this.wake set.
        if (this.page.length === 0) await this.sleep();
      }
      return { value: undefined, done: true };
    } catch (error) {
      this.end();
      throw error;
    }
  }

  private sleep(): Promise<void> {
    return new Promise((resolve) => {
      this.wake = () => {
        clearTimeout(this.timer);
        this.wake = undefined;
        resolve();
      };
      if (this.pollIntervalMs !== undefined) this.timer = setTimeout(this.wake, this.pollIntervalMs);
    });
  }
}
