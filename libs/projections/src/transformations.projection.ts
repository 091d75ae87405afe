import type {
  BatchProduced,
  BatchRefined,
  LedgerEvent,
  SchemaV1BatchProducedData,
  SchemaV1BatchRefinedData,
  TransformationRecorded,
} from '@tracelode/domain';
import { isWithheld, type Withheld } from '@tracelode/event-store';
import type { DocumentProjection, ViewLookup } from './document-projection';

/** A transformation's declaration, as its `TransformationRecorded` gave it. */
export type TransformationView = TransformationRecorded['data'];

export const TRANSFORMATIONS = 'transformations';

/**
 * Each transformation's declaration, kept so that a batch event of it — which names only its own batch
 * (schema 2, ADR 0021) — is read with the transformation's inputs and outputs: the declaration is applied
 * first, as it comes first in the transformation's append.
 */
export const transformationsProjection: DocumentProjection<TransformationView> = {
  collection: TRANSFORMATIONS,
  keyOf: (event) =>
    event.type === 'TransformationRecorded' ||
    (event.type === 'EventCorrected' && event.data.transformationId !== undefined)
      ? event.data.transformationId
      : undefined,
  evolve(view, event) {
    // A correction of the declaration (ADR 0024): its inputs' and outputs' masses, emissions or time.
    if (event.type === 'EventCorrected' && view) return { ...view, ...event.data.corrected };
    if (event.type !== 'TransformationRecorded')
      throw new Error(`${event.type} cannot change a transformation`);
    return event.data;
  },
};

/** A transformation's inputs and process figures, as one of its outputs' views needs them. */
export type ProducedBy = SchemaV1BatchProducedData;

/**
 * Below, a schema-1 event is read from its own fields (it carried its transformation's lists) and a
 * schema-2 event from its transformation's declaration: the only place the two schemas differ.
 */
const isSchemaV1Produced = (data: BatchProduced['data']): data is BatchProduced['data'] & ProducedBy =>
  Array.isArray((data as Partial<ProducedBy>).inputs);
const isSchemaV1Refined = (
  data: BatchRefined['data'],
): data is BatchRefined['data'] & SchemaV1BatchRefinedData =>
  Array.isArray((data as Partial<SchemaV1BatchRefinedData>).outputBatchIds);

function declarationOf(event: BatchProduced | BatchRefined, lookup: ViewLookup): TransformationView {
  const { transformationId, batchId } = event.data;
  const declaration = lookup(TRANSFORMATIONS, transformationId) as TransformationView | undefined;
  if (!declaration) {
    throw new Error(
      `${event.type} of ${batchId} names transformation ${transformationId}, which has no declaration`,
    );
  }
  return declaration;
}

/** The inputs an output was made from, and the whole process's figures. */
export function producedBy(event: BatchProduced, lookup: ViewLookup): ProducedBy {
  if (isSchemaV1Produced(event.data)) return event.data;
  const { inputs, processEmissionsKgCo2e, residues, unaccountedLossGrams } = declarationOf(event, lookup);
  return { inputs, processEmissionsKgCo2e, residues, unaccountedLossGrams };
}

/**
 * The batches the transformation that consumed an input produced. In an audit bundle that withholds some
 * outputs (ADR 0022) those are shown withheld, as `{"...": digest}`, never guessed.
 */
export function outputIdsOf(event: BatchRefined, lookup: ViewLookup): (string | Withheld)[] {
  if (isSchemaV1Refined(event.data)) return event.data.outputBatchIds;
  const outputs: readonly (TransformationView['outputs'][number] | Withheld)[] = declarationOf(
    event,
    lookup,
  ).outputs;
  return outputs.map((output) => (isWithheld(output) ? output : output.batchId));
}

/**
 * A transformation's batch event with its transformation's lists, field for field as schema 1 stored it:
 * what a custody timeline shows of it, so the timeline reads the same whichever schema wrote the log.
 */
export function withTransformationLists(event: LedgerEvent, lookup: ViewLookup): Record<string, unknown> {
  if (event.type === 'BatchRefined') {
    if (isSchemaV1Refined(event.data)) return { ...event.data };
    const {
      batchId,
      transformationId,
      process,
      orgId,
      facilityId,
      consumedGrams,
      remainingGrams,
      occurredAt,
    } = event.data;
    return {
      batchId,
      transformationId,
      process,
      orgId,
      facilityId,
      consumedGrams,
      remainingGrams,
      outputBatchIds: outputIdsOf(event, lookup),
      occurredAt,
    };
  }
  if (event.type === 'BatchProduced') {
    if (isSchemaV1Produced(event.data)) return { ...event.data };
    const { batchId, transformationId, process, orgId, facilityId, material, massGrams, grade } = event.data;
    const { allocation, occurredAt } = event.data;
    const { inputs, processEmissionsKgCo2e, residues, unaccountedLossGrams } = producedBy(event, lookup);
    return {
      batchId,
      transformationId,
      process,
      orgId,
      facilityId,
      inputs,
      material,
      massGrams,
      ...(grade ? { grade } : {}),
      processEmissionsKgCo2e,
      allocation,
      residues,
      unaccountedLossGrams,
      occurredAt,
    };
  }
  return event.data;
}
