import { type Decider, eventsFor, type Issued } from '../decider';
import { refuse } from '../shared/domain-error';
import type { Grade, Material } from '../shared/material';
import {
  actorMustHaveRole,
  batchMustBeInActorsCustody,
  batchMustExist,
  batchMustNotBeHeld,
  batchMustNotExist,
  facilityMustExist,
  inputMustBeAtFacility,
  inputMustHaveMassFor,
  massMustBePositive,
  occurredAtMustBeWithinRecordingWindow,
  occurredAtMustNotPrecedeCustody,
} from '../rules';
import type {
  BatchProduced,
  BatchRefined,
  OutputAllocation,
  Process,
  Residue,
  TransformationRecorded,
} from './transformation.events';

export type TransformBatches = {
  type: 'TransformBatches';
  data: {
    transformationId: string;
    facilityId: string;
    process: Process;
    occurredAt: string;
    inputs: { batchId: string; consumedGrams: number }[];
    outputs: { batchId: string; material: Material; massGrams: number; grade?: Grade }[];
    residues: Residue[];
    processEmissionsKgCo2e: number;
    /** Economic keys are decimal numbers per output batch id that must sum to exactly 1. */
    allocation: { method: 'mass' } | { method: 'economic'; keys: Readonly<Record<string, number>> };
  };
};

/** Shares are checked exactly in billionths: 0.1 + 0.2 must be able to equal 0.3. */
const SHARE_SCALE = 1_000_000_000;
const SHARE_PATTERN = /^(0(\.\d{1,9})?|1(\.0{1,9})?)$/;

/**
 * A transformation at one of the actor's facilities: its declaration is recorded once on its own stream
 * (TransformationRecorded), each input loses what it consumed (BatchRefined), each output comes into being
 * (BatchProduced), all in one atomic append across the transformation's stream and every batch it names.
 */
export const transformBatches: Decider<TransformBatches> = {
  streams: ({ data, metadata }) => ({
    transformations: [data.transformationId],
    batches: [...data.inputs, ...data.outputs].map((batch) => batch.batchId),
    organisations: [metadata.actor.orgId],
  }),
  decide: (command, state) => {
    const { data, metadata } = command;
    const { actor } = metadata;
    actorMustHaveRole(actor, 'producer', 'record a transformation');
    occurredAtMustBeWithinRecordingWindow(data.occurredAt, metadata);
    idsMustBeDistinct(data.inputs, data.outputs);
    facilityMustExist(state.organisation(actor.orgId), actor.orgId, data.facilityId);
    if (state.transformation(data.transformationId).exists) throw alreadyRecorded(data.transformationId);

    const consumedTotal = sum(data.inputs.map((input) => input.consumedGrams));
    const producedTotal = sum(data.outputs.map((output) => output.massGrams));
    const residueTotal = sum(data.residues.map((residue) => residue.massGrams));

    const refined = data.inputs.map(({ batchId, consumedGrams }): BatchRefined => {
      const input = batchMustExist(state.batch(batchId), batchId);
      // A schema-1 log has no transformation streams: there, only the inputs know the id is taken.
      if (input.transformationIds.has(data.transformationId)) throw alreadyRecorded(data.transformationId);
      batchMustBeInActorsCustody(input, actor);
      batchMustNotBeHeld(input, 'processed', data.occurredAt, 'Input');
      inputMustBeAtFacility(input, batchId, data.facilityId);
      inputMustHaveMassFor(input, batchId, consumedGrams);
      occurredAtMustNotPrecedeCustody(data.occurredAt, input, `input ${batchId}`);
      return {
        type: 'BatchRefined',
        data: {
          batchId,
          transformationId: data.transformationId,
          process: data.process,
          orgId: actor.orgId,
          facilityId: data.facilityId,
          consumedGrams,
          remainingGrams: input.remainingGrams - consumedGrams,
          occurredAt: data.occurredAt,
        },
      };
    });

    data.residues.forEach((residue) => massMustBePositive(residue.massGrams));
    if (producedTotal + residueTotal > consumedTotal) {
      throw refuse(
        'OUTPUT_MASS_EXCEEDS_CONSUMED',
        'Outputs and residues cannot weigh more than the inputs consumed',
        {
          consumedGrams: consumedTotal,
          producedGrams: producedTotal,
          residueGrams: residueTotal,
        },
      );
    }
    const shares = allocationShares(command, producedTotal);
    const outputs = data.outputs.map((output) => {
      batchMustNotExist(state.batch(output.batchId), output.batchId, 'Output batch');
      massMustBePositive(output.massGrams);
      return {
        batchId: output.batchId,
        material: output.material,
        massGrams: output.massGrams,
        ...(output.grade ? { grade: output.grade } : {}),
        allocation: shares.get(output.batchId) ?? { method: 'mass', share: 0 },
      };
    });
    const recorded: TransformationRecorded = {
      type: 'TransformationRecorded',
      data: {
        transformationId: data.transformationId,
        process: data.process,
        orgId: actor.orgId,
        facilityId: data.facilityId,
        inputs: data.inputs.map(({ batchId, consumedGrams }) => ({ batchId, consumedGrams })),
        outputs,
        residues: data.residues,
        unaccountedLossGrams: consumedTotal - producedTotal - residueTotal,
        processEmissionsKgCo2e: data.processEmissionsKgCo2e,
        occurredAt: data.occurredAt,
      },
    };
    const produced = outputs.map((output): BatchProduced => ({
      type: 'BatchProduced',
      data: {
        batchId: output.batchId,
        transformationId: data.transformationId,
        process: data.process,
        orgId: actor.orgId,
        facilityId: data.facilityId,
        material: output.material,
        massGrams: output.massGrams,
        ...(output.grade ? { grade: output.grade } : {}),
        allocation: output.allocation,
        occurredAt: data.occurredAt,
      },
    }));
    // The declaration first: whoever folds the log in order knows it before any of its batches' events.
    return [
      eventsFor('transformations', data.transformationId, [recorded]),
      ...[...refined, ...produced].map((event) => eventsFor('batches', event.data.batchId, [event])),
    ];
  },
};

const alreadyRecorded = (transformationId: string) =>
  refuse('TRANSFORMATION_ALREADY_RECORDED', `Transformation ${transformationId} is already recorded`);

const sum = (values: readonly number[]): number => values.reduce((total, value) => total + value, 0);

function idsMustBeDistinct(inputs: { batchId: string }[], outputs: { batchId: string }[]): void {
  if (inputs.length === 0 || outputs.length === 0) {
    throw refuse(
      'TRANSFORMATION_NEEDS_INPUTS_AND_OUTPUTS',
      'A transformation consumes at least one input and produces at least one output',
    );
  }
  const ids = [...inputs, ...outputs].map((batch) => batch.batchId);
  const repeated = ids.find((id, i) => ids.indexOf(id) !== i);
  if (repeated !== undefined) {
    throw refuse(
      'BATCH_NAMED_TWICE',
      `Batch ${repeated} appears more than once among the inputs and outputs`,
    );
  }
}

/** Each output's share: its mass over all outputs' mass, or the declared economic key (checked exactly). */
function allocationShares(
  command: Issued<TransformBatches>,
  producedTotal: number,
): Map<string, OutputAllocation> {
  const { outputs, allocation } = command.data;
  if (allocation.method === 'mass') {
    return new Map(
      outputs.map((output) => [output.batchId, { method: 'mass', share: output.massGrams / producedTotal }]),
    );
  }
  const keyed = Object.keys(allocation.keys);
  const outputIds = outputs.map((output) => output.batchId);
  if (keyed.length !== outputIds.length || !outputIds.every((id) => keyed.includes(id))) {
    throw refuse('ALLOCATION_KEYS_MISMATCH', 'Economic allocation needs exactly one key per output batch', {
      outputs: outputIds,
      keys: keyed,
    });
  }
  let billionths = 0;
  for (const id of outputIds) {
    const key = allocation.keys[id] ?? Number.NaN;
    if (!SHARE_PATTERN.test(String(key))) {
      throw refuse(
        'ALLOCATION_KEY_INVALID',
        `Key ${key} for ${id} must be a decimal between 0 and 1 with at most 9 places`,
      );
    }
    billionths += Math.round(key * SHARE_SCALE);
  }
  if (billionths !== SHARE_SCALE) {
    throw refuse(
      'ALLOCATION_KEYS_DO_NOT_SUM_TO_ONE',
      `Economic allocation keys sum to ${billionths / SHARE_SCALE}, not 1`,
    );
  }
  return new Map(outputIds.map((id) => [id, { method: 'economic', share: allocation.keys[id] ?? 0 }]));
}
