import type { DocumentProjection } from './document-projection';

/**
 * Where an event a correction or a void may name is, found by the event's id: the batch whose stream holds
 * it, or the transformation whose stream holds its declaration (`TransformationRecorded`, ADR 0024), and
 * its type. Exactly one of `batchId` and `transformationId` is set.
 */
export interface EventLocationView {
  readonly eventId: string;
  readonly batchId?: string;
  readonly transformationId?: string;
  readonly type: string;
}

export const EVENT_LOCATIONS = 'event_locations';

/**
 * An index of batch events and transformations' declarations by event id: a correction or a void names only
 * the event (`POST /events/{eventId}/corrections`), and its decision needs the stream that holds it.
 */
export const eventLocationsProjection: DocumentProjection<EventLocationView> = {
  collection: EVENT_LOCATIONS,
  keyOf: (event, stored) =>
    stored &&
    ((stored.stream.startsWith('batch-') &&
      typeof (event.data as { batchId?: unknown }).batchId === 'string') ||
      event.type === 'TransformationRecorded')
      ? stored.eventId
      : undefined,
  evolve: (_view, event, stored) =>
    event.type === 'TransformationRecorded'
      ? { eventId: stored.eventId, transformationId: event.data.transformationId, type: event.type }
      : {
          eventId: stored.eventId,
          batchId: (event.data as { batchId: string }).batchId,
          type: event.type,
        },
};
