import type { StoredEvent } from '@tracelode/event-store';

/**
 * When the ledger learnt of an event: the ledger's clock when its command arrived (`metadata.recordedAt`,
 * what the deciders judged against), else the store's commit time (events written without a command).
 */
export function recordedAtOf(stored: StoredEvent): string {
  const { recordedAt } = stored.metadata as { recordedAt?: unknown };
  return typeof recordedAt === 'string' && recordedAt !== '' ? recordedAt : stored.recordedAt;
}
