import { canonicalJson, isWithheld } from '@tracelode/event-store';
import type { BatchViews } from '@tracelode/projections';

/** Withholding these fields would change a view beyond showing the withheld values as withheld. */
export class WithholdingChangesViewsError extends Error {
  override readonly name = 'WithholdingChangesViewsError';
  constructor(readonly path: string) {
    super(
      `The fields withheld change the bundle's views at ${path}: a view would show a wrong value, not a withheld one`,
    );
  }
}

/**
 * Checks that the views a bundle's withheld events give are the full views with some values shown as
 * withheld (`{"...": digest}`) and nothing else changed: origin shares, carbon and certification equal,
 * no guess in place of a withheld value. Throws `WithholdingChangesViewsError` naming the first path that
 * differs otherwise.
 */
export function checkWithheldViews(full: BatchViews | null, shown: BatchViews | null): void {
  if (full === null || shown === null) {
    if (full !== shown) throw new WithholdingChangesViewsError('views');
    return;
  }
  const path = differenceBeyondWithheld(full, shown, 'views');
  if (path !== undefined) throw new WithholdingChangesViewsError(path);
}

function differenceBeyondWithheld(full: unknown, shown: unknown, path: string): string | undefined {
  if (isWithheld(shown)) return undefined;
  if (
    full &&
    shown &&
    typeof full === 'object' &&
    typeof shown === 'object' &&
    Array.isArray(full) === Array.isArray(shown)
  ) {
    const keys = [...new Set([...Object.keys(full), ...Object.keys(shown)])].sort();
    for (const key of keys) {
      const found = differenceBeyondWithheld(
        (full as Record<string, unknown>)[key],
        (shown as Record<string, unknown>)[key],
        Array.isArray(full) ? `${path}[${key}]` : `${path}.${key}`,
      );
      if (found !== undefined) return found;
    }
    return undefined;
  }
  return sameJson(full, shown) ? undefined : path;
}

/** Equal as JSON; a value JSON cannot hold (NaN from arithmetic over a withheld mass) equals nothing. */
function sameJson(a: unknown, b: unknown): boolean {
  if (a === undefined || b === undefined) return a === b;
  try {
    return canonicalJson(a) === canonicalJson(b);
  } catch {
    return false;
  }
}
