import { createHash } from 'node:crypto';

/** JSON with object keys sorted, so equal values always give equal text (used for request hashes). */
export function sortedJson(value: unknown): string {
  return JSON.stringify(value, (_key, item: unknown) =>
    item && typeof item === 'object' && !Array.isArray(item)
      ? Object.fromEntries(Object.entries(item).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : item,
  );
}

export const sha256Hex = (text: string): string => createHash('sha256').update(text).digest('hex');
