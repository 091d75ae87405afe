import type { EventStore, StoredEvent } from '../event-store.port';
import { chainOf, HASH_VERSION, hashVersionOf } from './event-hash';

/** The store holds events sealed with an earlier hash scheme, which this version does not read. */
export class LegacyLedgerError extends Error {
  override readonly name = 'LegacyLedgerError';
}

/**
 * Refuses a store whose events were sealed with another hash version than this code's (ADR 0022): its
 * first and last events are read (two reads, whatever the log's size). A ledger is sealed with one version
 * throughout (there is no migration), so those two tell. An empty store passes, and so do events that
 * carry no hash at all (written around the sealing store: the notary refuses those, naming them).
 */
export async function refuseLegacyLedger(store: EventStore, name: string): Promise<void> {
  const head = await store.headPosition();
  if (head === 0n) return;
  for (const position of head === 1n ? [1n] : [1n, head]) {
    const event = await eventAt(store, position);
    // An event without any hash was written past the sealing store: the notary names it, not this check.
    if (!event || chainOf(event.metadata).hash === undefined) continue;
    const version = hashVersionOf(event.metadata);
    if (version === HASH_VERSION) continue;
    throw new LegacyLedgerError(
      `${name} holds events sealed with hash version ${version} (event ${event.eventId} at position ${position}); this version of Tracelode reads only hash version ${HASH_VERSION} (docs/adr/0022). ` +
        'No migration exists: keep that ledger with the Tracelode version that wrote it, or point TRACELODE_STORE at a new, empty store.',
    );
  }
}

async function eventAt(store: EventStore, position: bigint): Promise<StoredEvent | undefined> {
  for await (const event of store.readAll(position)) return event;
  return undefined;
}
