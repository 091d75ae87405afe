import type { LedgerEvent } from '@tracelode/domain';

/** An event that brings a batch into being from other batches: a transformation, a split or a blend. */
export type DerivingEvent = Extract<
  LedgerEvent,
  { type: 'BatchProduced' | 'BatchSplitOff' | 'BlendProduced' }
>;

/** What a derived batch was made of: the step (its id) and the grams each input supplied. */
export interface Derivation {
  readonly stepId: string;
  readonly inputs: readonly { readonly batchId: string; readonly consumedGrams: number }[];
}

export const isDeriving = (event: LedgerEvent): event is DerivingEvent =>
  event.type === 'BatchProduced' || event.type === 'BatchSplitOff' || event.type === 'BlendProduced';

/** The step and inputs of a deriving event (a split's one input is the parent, with the child's mass). */
export function derivationOf(event: DerivingEvent): Derivation {
  switch (event.type) {
    case 'BatchProduced':
      return { stepId: event.data.transformationId, inputs: event.data.inputs };
    case 'BatchSplitOff':
      return {
        stepId: event.data.splitId,
        inputs: [{ batchId: event.data.fromBatchId, consumedGrams: event.data.massGrams }],
      };
    case 'BlendProduced':
      return { stepId: event.data.blendId, inputs: event.data.inputs };
  }
}

/** An event that takes mass out of an input into derived batches, and which step and batches it fed. */
export function feedsOf(
  event: LedgerEvent,
): { stepId: string; outputBatchIds: readonly string[]; remainingGrams: number } | undefined {
  switch (event.type) {
    case 'BatchRefined':
      return { stepId: event.data.transformationId, ...pick(event.data) };
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

const pick = ({ outputBatchIds, remainingGrams }: { outputBatchIds: string[]; remainingGrams: number }) => ({
  outputBatchIds,
  remainingGrams,
});

/** The id under which a step that fed derived batches appears in a timeline entry's details. */
export const stepIdOfDetails = (type: string, details: Record<string, unknown>): unknown =>
  type === 'BatchRefined'
    ? details.transformationId
    : type === 'BatchSplit'
      ? details.splitId
      : type === 'BatchBlended'
        ? details.blendId
        : undefined;
