import type { EpcisIndexRow, ReadModelStore, ReplayedDocument, ViewTransaction } from './read-model-store';

/** Documents a replay keeps in memory once written out, by default (the ones it changed last). */
export const REPLAY_CACHED_DOCUMENTS = 10_000;

export interface ReplayWriterOptions {
  /** Written-out documents kept in memory for the events after (the newest changed); dirty ones are always kept. */
  readonly cachedDocuments?: number;
}

/** A document as the replay last saw or changed it. */
interface CachedDocument {
  readonly collection: string;
  readonly key: string;
  view: unknown;
  /** The position that last changed it; undefined while unchanged since the last write-out (clean). */
  position: bigint | undefined;
  terms: readonly string[] | undefined;
  /** Whether the file may hold it: written out before, or read from it. */
  stored: boolean;
}

/**
 * Write-behind for a replay into views it has just emptied (`rebuildViews`): documents are kept as objects
 * across events and written out — each changed one once, in key order, with the index rows and the
 * checkpoint, in one transaction — only when `writeOut` is called. Between write-outs nothing reaches the
 * file, so a failure leaves the views at the last write-out's checkpoint, as a failed transaction did.
 *
 * A document is handed back as the same object until it is evicted (projections never mutate what they are
 * given; `evolve` may extend the one it owns), as within one read-model transaction. Since the views began
 * empty, a document neither cached nor written out and evicted is known absent without a query; evicted
 * ids are remembered as bits set by a hash of each (`EvictedIds`), so a collision costs a query, never a wrong answer.
 */
export class ReplayWriter implements ViewTransaction {
  private readonly cache = new Map<string, CachedDocument>();
  private dirty: CachedDocument[] = [];
  private rows: EpcisIndexRow[] = [];
  /** Ids written out and evicted, as bits set by their hash (allocated at the first eviction). */
  private evicted: EvictedIds | undefined;
  private readonly cachedDocuments: number;

  /** `views` must be empty (just reset): what the replay has not written is taken to be absent. */
  constructor(
    private readonly views: ReadModelStore,
    options: ReplayWriterOptions = {},
  ) {
    this.cachedDocuments = options.cachedDocuments ?? REPLAY_CACHED_DOCUMENTS;
  }

  get<V>(collection: string, key: string): V | undefined {
    const id = `${collection}\u0000${key}`;
    const cached = this.cache.get(id);
    if (cached) return cached.view as V | undefined;
    const view = this.evicted?.mayHold(id) ? this.views.get<V>(collection, key) : undefined;
    this.cache.set(id, {
      collection,
      key,
      view,
      position: undefined,
      terms: undefined,
      stored: view !== undefined,
    });
    return view;
  }

  put<V>(collection: string, key: string, view: V, position: bigint, terms?: readonly string[]): void {
    const id = `${collection}\u0000${key}`;
    let cached = this.cache.get(id);
    if (cached) {
      // Re-inserted, so that eviction (oldest first) takes the documents changed longest ago.
      this.cache.delete(id);
    } else {
      cached = {
        collection,
        key,
        view,
        position: undefined,
        terms: undefined,
        stored: this.evicted?.mayHold(id) ?? false,
      };
    }
    this.cache.set(id, cached);
    if (cached.position === undefined) this.dirty.push(cached);
    cached.view = view;
    cached.position = position;
    if (terms !== undefined) cached.terms = terms;
  }

  index(row: EpcisIndexRow): void {
    this.rows.push(row);
  }

  /** Documents changed since the last write-out. */
  get pending(): number {
    return this.dirty.length;
  }

  /**
   * Writes out every document changed since the last write-out (in collection and key order, which keeps
   * the B-tree's inserts local), the index rows, and the checkpoint at `position`, in one transaction; then
   * evicts the documents changed longest ago beyond the cache's size.
   */
  writeOut(position: bigint): void {
    const documents = this.dirty.sort(byCollectionAndKey) as ReplayedDocument[];
    this.views.writeReplayed(position, documents, this.rows);
    for (const cached of this.dirty) {
      cached.position = undefined;
      cached.terms = undefined;
      cached.stored = true;
    }
    this.dirty = [];
    this.rows = [];
    const { cache } = this;
    for (const [id, cached] of cache) {
      if (cache.size <= this.cachedDocuments) break;
      cache.delete(id);
      if (cached.stored) (this.evicted ??= new EvictedIds()).add(id);
    }
  }
}

function byCollectionAndKey(a: CachedDocument, b: CachedDocument): number {
  if (a.collection !== b.collection) return a.collection < b.collection ? -1 : 1;
  return a.key < b.key ? -1 : a.key > b.key ? 1 : 0;
}

/**
 * A bit per 27-bit hash of an id (16 MiB, whatever the log's size): a set bit says "may have been written
 * out", so a collision costs one query, never a wrong answer. A million and a half ids set ~1 % of the
 * bits; a JavaScript Set of their hashes had cost ~95 MB and its rehashing.
 */
class EvictedIds {
  private readonly bits = new Uint32Array(1 << 22);

  add(id: string): void {
    const hash = hashOf(id);
    this.bits[hash >>> 5]! |= 1 << (hash & 31);
  }

  mayHold(id: string): boolean {
    const hash = hashOf(id);
    return (this.bits[hash >>> 5]! & (1 << (hash & 31))) !== 0;
  }
}

/** FNV-1a over the UTF-16 code units, cut to 27 bits (the bit array's size). */
function hashOf(id: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < id.length; i++) hash = Math.imul(hash ^ id.charCodeAt(i), 0x01000193);
  return hash & 0x7ffffff;
}
