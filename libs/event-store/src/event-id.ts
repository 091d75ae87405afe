import { randomFillSync } from 'node:crypto';

/** Random bytes drawn 4,096 at a time: one call into the CSPRNG serves 409 ids. */
const POOL_BYTES = 4096;
const pool = Buffer.alloc(POOL_BYTES);
let next = POOL_BYTES;

/**
 * A new event's id: a UUID version 7 (RFC 9562 §5.7), the Unix time in milliseconds, the version and
 * variant bits, and 74 random bits (ADR 0038). Ids made in later milliseconds sort after earlier ones, so
 * each new id lands at the end of the indexes keyed by it (the log's `event_id`, the views' event
 * locations) instead of on a random page of each: fewer pages written a commit. Within one millisecond
 * their order is random; no counter, so an id tells nothing of the ids made before it but their time.
 */
export function newEventId(): string {
  if (next + 10 > POOL_BYTES) {
    randomFillSync(pool);
    next = 0;
  }
  const bytes = Buffer.allocUnsafe(16);
  bytes.writeUIntBE(Date.now(), 0, 6);
  pool.copy(bytes, 6, next, next + 10);
  next += 10;
  bytes[6] = (bytes[6]! & 0x0f) | 0x70; // version 7
  bytes[8] = (bytes[8]! & 0x3f) | 0x80; // variant 10
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
