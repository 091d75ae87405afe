import type { StoredEvent } from './event-store.port';

/** Rows fetched per read: large enough to amortise a query, small enough never to hold a big log. */
export const PAGE_SIZE = 500;

/** Reads up to `limit` events starting at `from` (a position or a revision, as the reader decides). */
export type ReadPage = (from: bigint, limit: number) => StoredEvent[];

/**
 * One turn of the event loop. Readers take it between pages because a consumer driven by microtasks
 * alone would otherwise hold off every timer and queued flush until it had read the whole log.
 */
export function nextTurn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** Yields pages one after another until one comes back short. */
export async function* readInPages(
  readPage: ReadPage,
  from: bigint,
  cursorAfter: (event: StoredEvent) => bigint,
): AsyncGenerator<StoredEvent> {
  let cursor = from;
  for (;;) {
    const page = readPage(cursor, PAGE_SIZE);
    yield* page;
    const last = page.at(-1);
    if (last === undefined || page.length < PAGE_SIZE) return;
    cursor = cursorAfter(last);
    await nextTurn();
  }
}
