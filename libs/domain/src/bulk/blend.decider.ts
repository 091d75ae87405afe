import { type Decider, eventsFor } from '../decider';
import { refuse } from '../shared/domain-error';
import type { Material } from '../shared/material';
import {
  actorMustHaveRole,
  batchMustBeInActorsCustody,
  batchMustExist,
  batchMustNotBeHeld,
  batchMustNotExist,
  facilityMustExist,
  inputMustBeAtFacility,
  inputMustHaveMassFor,
  occurredAtMustBeWithinRecordingWindow,
  occurredAtMustNotPrecedeCustody,
} from '../rules';
import type { BatchBlended, BlendProduced } from './bulk.events';

export type BlendBatches = {
  type: 'BlendBatches';
  data: {
    blendId: string;
    facilityId: string;
    inputs: { batchId: string; consumedGrams: number }[];
    output: { batchId: string; material: Material };
    occurredAt: string;
  };
};

/**
 * The custodian blends lots of one form at one of its facilities into a new lot: no processing, so no
 * emissions, and the output weighs exactly what was consumed; its origins are the mass-weighted mix of the
 * inputs'. `BatchBlended` on each input and `BlendProduced` on the output, in one atomic append.
 */
export const blendBatches: Decider<BlendBatches> = {
  streams: ({ data, metadata }) => ({
    batches: [...data.inputs.map((input) => input.batchId), data.output.batchId],
    organisations: [metadata.actor.orgId],
  }),
  decide: ({ data, metadata }, state) => {
    const { actor } = metadata;
    actorMustHaveRole(actor, 'producer', 'blend batches');
    occurredAtMustBeWithinRecordingWindow(data.occurredAt, metadata);
    if (data.inputs.length < 2) throw refuse('BLEND_NEEDS_TWO_INPUTS', 'A blend mixes at least two lots');
    const ids = [...data.inputs.map((input) => input.batchId), data.output.batchId];
    const repeated = ids.find((id, i) => ids.indexOf(id) !== i);
    if (repeated !== undefined) {
      throw refuse('BATCH_NAMED_TWICE', `Batch ${repeated} appears more than once in the blend`);
    }
    facilityMustExist(state.organisation(actor.orgId), actor.orgId, data.facilityId);
    const form = data.output.material.form;
    const blended = data.inputs.map(({ batchId, consumedGrams }): BatchBlended => {
      const input = batchMustExist(state.batch(batchId), batchId);
      if (input.blendIds.has(data.blendId)) {
        throw refuse('BLEND_ALREADY_RECORDED', `Blend ${data.blendId} is already recorded`);
      }
      batchMustBeInActorsCustody(input, actor);
      batchMustNotBeHeld(input, 'blended', data.occurredAt, 'Input');
      inputMustBeAtFacility(input, batchId, data.facilityId);
      if (input.material.form !== form) {
        throw refuse(
          'BLEND_OF_DIFFERENT_FORMS',
          `Input ${batchId} is ${input.material.form}; a blend of ${form} mixes only ${form}`,
          { batchId, form: input.material.form, blendForm: form },
        );
      }
      inputMustHaveMassFor(input, batchId, consumedGrams);
      occurredAtMustNotPrecedeCustody(data.occurredAt, input, `input ${batchId}`);
      return {
        type: 'BatchBlended',
        data: {
          batchId,
          blendId: data.blendId,
          orgId: actor.orgId,
          facilityId: data.facilityId,
          consumedGrams,
          remainingGrams: input.remainingGrams - consumedGrams,
          outputBatchId: data.output.batchId,
          occurredAt: data.occurredAt,
        },
      };
    });
    batchMustNotExist(state.batch(data.output.batchId), data.output.batchId, 'Output batch');
    const produced: BlendProduced = {
      type: 'BlendProduced',
      data: {
        batchId: data.output.batchId,
        blendId: data.blendId,
        orgId: actor.orgId,
        facilityId: data.facilityId,
        inputs: data.inputs.map(({ batchId, consumedGrams }) => ({ batchId, consumedGrams })),
        material: data.output.material,
        massGrams: data.inputs.reduce((sum, input) => sum + input.consumedGrams, 0),
        occurredAt: data.occurredAt,
      },
    };
    return [...blended, produced].map((event) => eventsFor('batches', event.data.batchId, [event]));
  },
};
