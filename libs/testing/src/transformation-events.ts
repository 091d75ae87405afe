import type { BatchProduced, BatchRefined, TransformationRecorded } from '@tracelode/domain';

/**
 * A transformation's events in the order the decider appends them (schema 2, ADR 0021): its declaration,
 * each input's BatchRefined (with `remainingGrams` of it, default 0), then each output's BatchProduced.
 */
export function transformationEvents(
  declaration: TransformationRecorded['data'],
  remainingGrams: Readonly<Record<string, number>> = {},
): [TransformationRecorded, ...(BatchRefined | BatchProduced)[]] {
  const { transformationId, process, orgId, facilityId, occurredAt } = declaration;
  const common = { transformationId, process, orgId, facilityId };
  return [
    { type: 'TransformationRecorded', data: declaration },
    ...declaration.inputs.map(({ batchId, consumedGrams }): BatchRefined => ({
      type: 'BatchRefined',
      data: { batchId, ...common, consumedGrams, remainingGrams: remainingGrams[batchId] ?? 0, occurredAt },
    })),
    ...declaration.outputs.map(({ batchId, material, massGrams, grade, allocation }): BatchProduced => ({
      type: 'BatchProduced',
      data: {
        batchId,
        ...common,
        material,
        massGrams,
        ...(grade ? { grade } : {}),
        allocation,
        occurredAt,
      },
    })),
  ];
}
