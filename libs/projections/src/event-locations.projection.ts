import type { DocumentProjection } from './document-projection';

/** Where a batch's event is: the batch (its stream) and its type, found by the event's id. */
export interface EventLocationView {
  readonly eventId: string;
  readonly batchId: string;
  readonly type: string;
}

export const EVENT_LOCATIONS = 'event_locations';

/**
 * An index of batch events by event id: a correction or a void names only the event
 * (`POST /events/{eventId}/corrections`), and its decision needs the batch's stream.
 */
export const eventLocationsProjection: DocumentProjection<EventLocationView> = {
  collection: EVENT_LOCATIONS,
  keyOf: (event, stored) =>
    stored &&
    stored.stream.startsWith('batch-') &&
    typeof (event.data as { batchId?: unknown }).batchId === 'string'
      ? stored.eventId
      : undefined,
  evolve: (_view, event, stored) => ({
    eventId: stored.eventId,
    batchId: (event.data as { batchId: string }).batchId,
    type: event.type,
  }),
};
