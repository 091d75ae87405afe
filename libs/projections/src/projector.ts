import type { EventStore, StoredEvent } from '@tracelode/event-store';
import type { ReadModelStore, ViewTransaction } from '@tracelode/read-models';
import { type DocumentProjection, toLedgerEvent } from './document-projection';

/** Applies one event to every projection it concerns, inside the caller's transaction. */
export function applyEvent(
  tx: ViewTransaction,
  projections: readonly DocumentProjection<unknown>[],
  stored: StoredEvent,
): void {
  const event = toLedgerEvent(stored);
  for (const projection of projections) {
    const key = projection.keyOf(event);
    if (key === undefined) continue;
    tx.put(
      projection.collection,
      key,
      projection.evolve(tx.get(projection.collection, key), event, stored),
      stored.position,
    );
  }
}

/**
 * Keeps the read models up to date: subscribes to the log from the checkpoint and applies each event
 * and the new checkpoint in one read-model transaction, so a crash never skips or re-applies an event.
 */
export class Projector {
  private readonly waiters = new Set<{ position: bigint; resolve: (reached: boolean) => void }>();
  private subscription?: AsyncIterator<StoredEvent>;
  private running?: Promise<void>;
  private current: bigint;
  private failure?: Error;

  constructor(
    private readonly store: EventStore,
    private readonly views: ReadModelStore,
    private readonly projections: readonly DocumentProjection<unknown>[],
  ) {
    this.current = views.checkpoint();
  }

  /** The log position the views reflect. */
  get position(): bigint {
    return this.current;
  }

  /** Why the projector stopped, if an event could not be applied. */
  get error(): Error | undefined {
    return this.failure;
  }

  start(): void {
    if (this.running) return;
    const subscription = this.store.subscribeAll(this.current + 1n)[Symbol.asyncIterator]();
    this.subscription = subscription;
    this.running = this.run(subscription);
  }

  private async run(subscription: AsyncIterator<StoredEvent>): Promise<void> {
    try {
      for (let next = await subscription.next(); !next.done; next = await subscription.next()) {
        const stored = next.value;
        this.views.applyAndCheckpoint(stored.position, (tx) => applyEvent(tx, this.projections, stored));
        this.current = stored.position;
        this.settleWaiters();
      }
    } catch (error) {
      this.failure = error instanceof Error ? error : new Error(String(error));
    }
  }

  /** Resolves true once the views reach `position`, or false after `timeoutMs`. */
  waitFor(position: bigint, timeoutMs: number): Promise<boolean> {
    if (this.current >= position) return Promise.resolve(true);
    return new Promise((resolve) => {
      const waiter = {
        position,
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

  private settleWaiters(): void {
    for (const waiter of this.waiters) if (this.current >= waiter.position) waiter.resolve(true);
  }

  async stop(): Promise<void> {
    await this.subscription?.return?.();
    await this.running;
    for (const waiter of this.waiters) waiter.resolve(false);
  }
}

/** Drops every view and replays the whole log into fresh read models; returns the events applied. */
export async function rebuildViews(
  store: EventStore,
  views: ReadModelStore,
  projections: readonly DocumentProjection<unknown>[],
  chunkSize = 1000,
): Promise<number> {
  views.reset();
  let chunk: StoredEvent[] = [];
  let applied = 0;
  const flush = () => {
    const last = chunk.at(-1);
    if (!last) return;
    views.applyAndCheckpoint(last.position, (tx) =>
      chunk.forEach((stored) => applyEvent(tx, projections, stored)),
    );
    applied += chunk.length;
    chunk = [];
  };
  for await (const stored of store.readAll(1n)) {
    chunk.push(stored);
    if (chunk.length >= chunkSize) flush();
  }
  flush();
  return applied;
}
