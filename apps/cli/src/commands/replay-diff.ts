import type { StoredViewDocument } from '@tracelode/read-models';
import { isDeepStrictEqual } from 'node:util';

/** One document that differs between the replayed views and the live ones. */
export type ViewDifference =
  | {
      readonly kind: 'only-in-replay';
      readonly collection: string;
      readonly key: string;
      readonly replayPosition: number;
      readonly replay: unknown;
    }
  | {
      readonly kind: 'only-in-live';
      readonly collection: string;
      readonly key: string;
      readonly livePosition: number;
      readonly live: unknown;
    }
  | {
      readonly kind: 'changed';
      readonly collection: string;
      readonly key: string;
      readonly replayPosition: number;
      readonly livePosition: number;
      readonly replay: unknown;
      readonly live: unknown;
    };

/** Documents per side, and how many differ, in one collection. */
export interface CollectionCounts {
  replay: number;
  live: number;
  onlyInReplay: number;
  onlyInLive: number;
  changed: number;
}

const emptyCounts = (): CollectionCounts => ({
  replay: 0,
  live: 0,
  onlyInReplay: 0,
  onlyInLive: 0,
  changed: 0,
});

/**
 * Compares strings by Unicode code point, the order SQLite's BINARY collation gives UTF-8 text. Plain `<`
 * compares UTF-16 code units, which puts U+E000–U+FFFF after the surrogate pairs of U+10000 and above.
 */
export function compareCodePoints(a: string, b: string): number {
  const length = Math.min(a.length, b.length);
  for (let i = 0; i < length; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x !== y) return codePointRank(x) - codePointRank(y);
  }
  return a.length - b.length;
}

/** Moves surrogates (U+D800–U+DFFF) above U+E000–U+FFFF, keeping everything else in place. */
const codePointRank = (unit: number): number =>
  unit < 0xd800 ? unit : unit <= 0xdfff ? unit + 0x2000 : unit - 0x800;

const compareDocuments = (a: StoredViewDocument, b: StoredViewDocument): number =>
  compareCodePoints(a.collection, b.collection) || compareCodePoints(a.key, b.key);

/**
 * Walks two document sequences, each ordered by collection then key (as ReadModelStore.snapshot gives
 * them), side by side: one pass, no document held longer than its comparison. Reports each difference
 * to `onDifference` and returns the counts per collection. Documents whose JSON differs only in the order
 * of object keys are equal.
 */
export function diffViewDocuments(
  replay: Iterable<StoredViewDocument>,
  live: Iterable<StoredViewDocument>,
  onDifference: (difference: ViewDifference) => void,
): Map<string, CollectionCounts> {
  const counts = new Map<string, CollectionCounts>();
  const countsOf = (collection: string) => {
    let entry = counts.get(collection);
    if (!entry) counts.set(collection, (entry = emptyCounts()));
    return entry;
  };
  const replayed = replay[Symbol.iterator]();
  const current = live[Symbol.iterator]();
  let r = replayed.next();
  let l = current.next();
  while (!r.done || !l.done) {
    const order = r.done ? 1 : l.done ? -1 : compareDocuments(r.value, l.value);
    if (order < 0 && !r.done) {
      const { collection, key, position, json } = r.value;
      const entry = countsOf(collection);
      entry.replay += 1;
      entry.onlyInReplay += 1;
      onDifference({
        kind: 'only-in-replay',
        collection,
        key,
        replayPosition: Number(position),
        replay: JSON.parse(json),
      });
      r = replayed.next();
    } else if (order > 0 && !l.done) {
      const { collection, key, position, json } = l.value;
      const entry = countsOf(collection);
      entry.live += 1;
      entry.onlyInLive += 1;
      onDifference({
        kind: 'only-in-live',
        collection,
        key,
        livePosition: Number(position),
        live: JSON.parse(json),
      });
      l = current.next();
    } else if (!r.done && !l.done) {
      const entry = countsOf(r.value.collection);
      entry.replay += 1;
      entry.live += 1;
      // The same JSON text is by far the common case; parse only when the text differs.
      if (r.value.json !== l.value.json) {
        const replayView: unknown = JSON.parse(r.value.json);
        const liveView: unknown = JSON.parse(l.value.json);
        if (!isDeepStrictEqual(replayView, liveView)) {
          entry.changed += 1;
          onDifference({
            kind: 'changed',
            collection: r.value.collection,
            key: r.value.key,
            replayPosition: Number(r.value.position),
            livePosition: Number(l.value.position),
            replay: replayView,
            live: liveView,
          });
        }
      }
      r = replayed.next();
      l = current.next();
    }
  }
  return counts;
}
