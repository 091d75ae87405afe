/** A stored event as `decodeEvent` carries it through the upcasts. */
export interface UpcastableEvent {
  type: string;
  data: Record<string, unknown>;
  metadata: Record<string, unknown>;
}

/**
 * `BatchMined` v1 → v2: version 2 records the mine's country (`country`). A v1 event never recorded it, and
 * the upcast does not guess: it says `country: null`, and the views read the country from the facility's
 * registration, as they always did. Every other event type is the same in both versions. The stored event
 * is never changed (its hash covers the stored form); this runs on every read.
 */
export function upcastBatchMinedV1(event: UpcastableEvent): UpcastableEvent {
  if (event.type !== 'BatchMined' || 'country' in event.data) return event;
  return { ...event, data: { ...event.data, country: null } };
}
