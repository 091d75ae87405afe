import type { TransformationEvent } from './transformation.events';

/** What a decision needs of a transformation's own stream: whether its id is taken. */
export type TransformationState =
  { readonly exists: false } | { readonly exists: true; readonly transformationId: string };

export const initialTransformationState = (): TransformationState => ({ exists: false });

export function evolveTransformation(
  state: TransformationState,
  event: TransformationEvent,
): TransformationState {
  switch (event.type) {
    case 'TransformationRecorded':
      return { exists: true, transformationId: event.data.transformationId };
    default: {
      const unknown: never = event.type;
      return unknown;
    }
  }
}
