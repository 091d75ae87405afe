import { type EventStore, isPassingFault, LogFollower, type StoredEvent } from '@tracelode/event-store';
import { epcisIndexEntryOf } from '@tracelode/epcis';
import { type ReadModelStore, ReplayWriter, type ViewTransaction } from '@tracelode/read-models';
import { type DocumentProjection, toLedgerEvent, type ViewLookup } from './document-projection';

/** Applies one event to every projection it concerns, inside the caller's transaction. */
export function applyEvent(
  tx: ViewTransaction,
  projections: readonly DocumentProjection<unknown>[],
  stored: StoredEvent,
): void {
  const event = toLedgerEvent(stored);
  const lookup: ViewLookup = (collection, key) => tx.get(collection, key);
  for (const projection of projections) {
    const put = (key: string, view: unknown) =>
      tx.put(projection.collection, key, view, stored.position, projection.termsOf?.(view));
    for (const [key, change] of projection.alsoChanges?.(event, lookup, stored) ?? []) {
      put(key, change(tx.get(projection.collection, key)));
    }
    const key = projection.keyOf(event, stored);
    if (key === undefined) continue;
    // The transaction's copy of the document is replaced by what evolve returns: it is the projection's.
    put(key, projection.evolve(tx.get(projection.collection, key), event, stored, lookup, true));
  }
  if (tx.index) {
    // The EPCIS query's index (ADR 0031): rows in SQLite tables of their own, not documents.
    const entry = epcisIndexEntryOf(stored);
    if (entry) tx.index({ position: stored.position, stream: stored.stream, ...entry });
  }
}

/** Most events the projector applies in one read-model transaction. */
const MAX_BATCH = 500;

/**
 * Keeps the read models up to date: subscribes to the log from the checkpoint and applies each batch of
 * events and the new checkpoint in one read-model transaction, so a crash never skips or re-applies an event.
 */
export class Projector extends LogFollower {
  private current: bigint;

  /**
   * `gatherMs`: gather each batch for this long instead of until the next turn (the followers' worker,
   * off the request path: fewer, larger transactions); a reader that waits calls `hurry`.
   */
  constructor(
    store: EventStore,
    private readonly views: ReadModelStore,
    private readonly projections: readonly DocumentProjection<unknown>[],
    gatherMs?: number,
  ) {
    super(store, gatherMs === undefined ? { max: MAX_BATCH } : { max: MAX_BATCH, gatherMs });
    this.current = views.checkpoint();
  }

  /** The log position the views reflect. */
  get position(): bigint {
    return this.current;
  }

  protected get reached(): bigint {
    return this.current;
  }

  /**
   * If a batch fails, its events are applied one by one, so the views stop just before the bad event;
   * unless the views' file could not take it just now (a lock, a full disk), which each would meet again.
   */
  protected apply(batch: readonly StoredEvent[]): void {
    try {
      this.applyAndCheckpoint(batch);
    } catch (error) {
      if (batch.length === 1 || isPassingFault(error)) throw error;
      for (const stored of batch) this.applyAndCheckpoint([stored]);
    }
  }

  private applyAndCheckpoint(batch: readonly StoredEvent[]): void {
    const last = batch[batch.length - 1]!;
    this.views.applyAndCheckpoint(last.position, (tx) => {
      for (const stored of batch) applyEvent(tx, this.projections, stored);
    });
    this.current = last.position;
    this.settleWaiters();
  }
}

export interface RebuildViewsOptions {
  /** Last log position to apply (inclusive); default: the whole log. */
  readonly to?: bigint;
  /** Events applied between two write-outs of the changed documents, each one transaction (default 1000). */
  readonly chunkSize?: number;
  /** Documents kept in memory across write-outs (default `REPLAY_CACHED_DOCUMENTS`). */
  readonly cachedDocuments?: number;
  /** Called after each write-out with the events applied so far and the events to apply in all. */
  readonly onProgress?: (applied: number, total: number) => void;
}

/**
 * Drops every view and replays the log from position 1 (up to `to`, if given) into fresh read models;
 * returns the events applied. The documents are kept in memory across events (`ReplayWriter`) and each
 * changed one is written once per chunk, with the chunk's checkpoint: a failure leaves the views at the
 * last chunk written.
 */
export async function rebuildViews(
  store: EventStore,
  views: ReadModelStore,
  projections: readonly DocumentProjection<unknown>[],
  options: RebuildViewsOptions = {},
): Promise<number> {
  const { to, chunkSize = 1000, cachedDocuments, onProgress } = options;
  views.reset();
  if (to !== undefined && to < 1n) return 0;
  let total = 0;
  if (onProgress) {
    const head = await store.headPosition();
    total = Number(to !== undefined && to < head ? to : head);
  }
  const writer = new ReplayWriter(views, { cachedDocuments });
  let applied = 0;
  let inChunk = 0;
  let last: bigint | undefined;
  const flush = () => {
    if (last === undefined || inChunk === 0) return;
    writer.writeOut(last);
    applied += inChunk;
    inChunk = 0;
    onProgress?.(applied, Math.max(total, applied));
  };
  for await (const stored of store.readAll(1n)) {
    if (to !== undefined && stored.position > to) break;
    applyEvent(writer, projections, stored);
    last = stored.position;
    if (++inChunk >= chunkSize) flush();
    // Stopping at the target, rather than at the next event, spares reading a page beyond it.
    if (stored.position === to) break;
  }
  flush();
  return applied;
}
