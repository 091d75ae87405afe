import type { EventCorrected } from '../correction/correction.events';
import type { TransformationEvent, TransformationRecorded } from './transformation.events';

/**
 * What a decision needs of a transformation's own stream: whether its id is taken, and, for a correction
 * (ADR 0024), its declaration as it now stands, the declaration event's id and the corrections recorded.
 */
export type TransformationState =
  | { readonly exists: false }
  | {
      readonly exists: true;
      readonly transformationId: string;
      readonly eventId: string;
      readonly data: TransformationRecorded['data'];
      readonly correctionIds: ReadonlySet<string>;
    };

export const initialTransformationState = (): TransformationState => ({ exists: false });

export function evolveTransformation(
  state: TransformationState,
  event: TransformationEvent | EventCorrected,
  eventId = '',
): TransformationState {
  switch (event.type) {
    case 'TransformationRecorded':
      return {
        exists: true,
        transformationId: event.data.transformationId,
        eventId,
        data: event.data,
        correctionIds: new Set(),
      };
    case 'EventCorrected':
      return state.exists
        ? {
            ...state,
            data: { ...state.data, ...event.data.corrected },
            correctionIds: new Set(state.correctionIds).add(event.data.correctionId),
          }
        : state;
    default: {
      const unknown: never = event;
      return unknown;
    }
  }
}
