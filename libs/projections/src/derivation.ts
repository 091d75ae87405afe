import type { LedgerEvent } from '@tracelode/domain';
import type { Withheld } from '@tracelode/event-store';
import type { ViewLookup } from './document-projection';
import { outputIdsOf, producedBy } from './transformations.projection';

/** An event that brings a batch into being from other batches: a transformation, a split or a blend. */
export type DerivingEvent = Extract<
  LedgerEvent,
  { type: 'BatchProduced' | 'BatchSplitOff' | 'BlendProduced' }
>;

/**
 * What a derived batch was made of: the step (its id), the grams each input supplied, and the whole step's
 * emissions (a transformation's process emissions; none for a split or a blend).
 */
export interface Derivation {
  readonly stepId: string;
  readonly inputs: readonly { readonly batchId: string; readonly consumedGrams: number }[];
  readonly processEmissionsKgCo2e: number;
}

export const isDeriving = (event: LedgerEvent): event is DerivingEvent =>
  event.type === 'BatchProduced' || event.type === 'BatchSplitOff' || event.type === 'BlendProduced';

/** The step and inputs of a deriving event (a split's one input is the parent, with the child's mass). */
export function derivationOf(event: DerivingEvent, lookup: ViewLookup): Derivation {
  switch (event.type) {
    case 'BatchProduced': {
      // A transformation's inputs are in its declaration (schema 2, ADR 0021).
      const { inputs, processEmissionsKgCo2e } = producedBy(event, lookup);
      return { stepId: event.data.transformationId, inputs, processEmissionsKgCo2e };
    }
    case 'BatchSplitOff':
      return {
        stepId: event.data.splitId,
        inputs: [{ batchId: event.data.fromBatchId, consumedGrams: event.data.massGrams }],
        processEmissionsKgCo2e: 0,
      };
    case 'BlendProduced':
      return { stepId: event.data.blendId, inputs: event.data.inputs, processEmissionsKgCo2e: 0 };
  }
}

/** Whether an event takes mass out of an input into derived batches (see `feedsOf`). */
export const isFeeding = (event: LedgerEvent): boolean =>
  event.type === 'BatchRefined' || event.type === 'BatchSplit' || event.type === 'BatchBlended';

/** An event that takes mass out of an input into derived batches, and which step and batches it fed. */
export function feedsOf(
  event: LedgerEvent,
  lookup: ViewLookup,
): { stepId: string; outputBatchIds: readonly (string | Withheld)[]; remainingGrams: number } | undefined {
  switch (event.type) {
    case 'BatchRefined':
      // The outputs are in the transformation's declaration (schema 2, ADR 0021); a withheld one in an
      // audit bundle shows withheld (ADR 0022).
      return {
        stepId: event.data.transformationId,
        outputBatchIds: outputIdsOf(event, lookup),
        remainingGrams: event.data.remainingGrams,
      };
    case 'BatchSplit':
      return {
        stepId: event.data.splitId,
        outputBatchIds: event.data.outputs.map((output) => output.batchId),
        remainingGrams: event.data.remainingGrams,
      };
    case 'BatchBlended':
      return {
        stepId: event.data.blendId,
        outputBatchIds: [event.data.outputBatchId],
        remainingGrams: event.data.remainingGrams,
      };
    default:
      return undefined;
  }
}

/** The id under which a step that fed derived batches appears in a timeline entry's details. */
export const stepIdOfDetails = (type: string, details: Record<string, unknown>): unknown =>
  type === 'BatchRefined'
    ? details.transformationId
    : type === 'BatchSplit'
      ? details.splitId
      : type === 'BatchBlended'
        ? details.blendId
        : undefined;
