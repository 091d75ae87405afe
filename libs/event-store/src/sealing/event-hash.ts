import type { StoredEvent } from '../event-store.port';
import { createHash } from 'node:crypto';
import { canonicalJson } from './jcs';

/** The metadata fields that carry the hash chain; they are not part of what is hashed. */
export const HASH_FIELDS = ['hash', 'prevHash'] as const;

/** What an event's hash covers: where it sits, what it says (and, beside it, its predecessor's hash). */
export type HashableEvent = Pick<
  StoredEvent,
  'stream' | 'revision' | 'eventId' | 'type' | 'data' | 'metadata'
>;

/** The metadata as hashed: everything but the hash fields. */
export function withoutHashFields(metadata: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const rest: Record<string, unknown> = { ...metadata };
  for (const field of HASH_FIELDS) delete rest[field];
  return rest;
}

/**
 * SHA-256 (hex) over the RFC 8785 canonical JSON of
 * `{stream, revision, eventId, type, data, metadata without hash fields, prevHash}`. The revision is a
 * JSON number (streams stay far below 2^53 events); `prevHash` is null for a stream's first event.
 */
export function eventHash(event: HashableEvent, prevHash: string | null): string {
  const canonical = canonicalJson({
    stream: event.stream,
    revision: Number(event.revision),
    eventId: event.eventId,
    type: event.type,
    data: event.data,
    metadata: withoutHashFields(event.metadata),
    prevHash,
  });
  return createHash('sha256').update(canonical, 'utf8').digest('hex');
}

/** The hash chain fields an event carries in its metadata (absent on events written before hashing). */
export function chainOf(metadata: Readonly<Record<string, unknown>>): {
  hash: string | undefined;
  prevHash: string | null | undefined;
} {
  const hash = typeof metadata.hash === 'string' ? metadata.hash : undefined;
  const prevHash =
    metadata.prevHash === null ? null : typeof metadata.prevHash === 'string' ? metadata.prevHash : undefined;
  return { hash, prevHash };
}
