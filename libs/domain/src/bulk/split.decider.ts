import { type Decider, eventsFor, type LedgerState, type StreamEvents } from '../decider';
import type { ExistingBatch } from '../batch/batch.state';
import type { Actor } from '../shared/actor';
import { refuse } from '../shared/domain-error';
import {
  actorMustHaveRole,
  batchMustBeInActorsCustody,
  batchMustExist,
  batchMustNotBeHeld,
  batchMustNotExist,
  massMustBePositive,
  occurredAtMustBeWithinRecordingWindow,
  occurredAtMustNotPrecedeCustody,
} from '../rules';
import type { BatchSplitOff } from './bulk.events';

export type SplitBatch = {
  type: 'SplitBatch';
  data: {
    batchId: string;
    splitId: string;
    outputs: { batchId: string; massGrams: number }[];
    occurredAt: string;
  };
};

/**
 * The custodian divides a lot at its facility into child lots of the same material: what is not split off
 * stays in the parent. No processing, so no emissions: each child carries the parent's origins, carbon
 * intensity and certification. One atomic append across the parent and every child.
 */
export const splitBatch: Decider<SplitBatch> = {
  streams: ({ data }) => ({ batches: [data.batchId, ...data.outputs.map((output) => output.batchId)] }),
  decide: ({ data, metadata }, state) => {
    actorMustHaveRole(metadata.actor, 'producer', 'split a batch');
    occurredAtMustBeWithinRecordingWindow(data.occurredAt, metadata);
    if (data.outputs.length === 0) throw refuse('SPLIT_NEEDS_OUTPUTS', 'A split names at least one output');
    return splitOff(state, metadata.actor, data);
  },
};

/**
 * The split's events, after its rules: the parent in the actor's custody, not held, with at least the
 * outputs' mass left, and every output new. A partial shipment uses it to split off what it ships.
 */
export function splitOff(
  state: LedgerState,
  actor: Actor,
  split: SplitBatch['data'],
  childEvents: (child: BatchSplitOff) => StreamEvents['events'] = (child) => [child],
): StreamEvents[] {
  const { batchId, splitId, outputs, occurredAt } = split;
  const ids = [batchId, ...outputs.map((output) => output.batchId)];
  const repeated = ids.find((id, i) => ids.indexOf(id) !== i);
  if (repeated !== undefined) {
    throw refuse('BATCH_NAMED_TWICE', `Batch ${repeated} appears more than once in the split`);
  }
  const parent: ExistingBatch = batchMustExist(state.batch(batchId), batchId);
  if (parent.splitIds.has(splitId)) {
    throw refuse('SPLIT_ALREADY_RECORDED', `Split ${splitId} of batch ${batchId} is already recorded`);
  }
  batchMustBeInActorsCustody(parent, actor);
  batchMustNotBeHeld(parent, 'split', occurredAt);
  outputs.forEach((output) => {
    batchMustNotExist(state.batch(output.batchId), output.batchId, 'Output batch');
    massMustBePositive(output.massGrams);
  });
  const splitGrams = outputs.reduce((sum, output) => sum + output.massGrams, 0);
  if (splitGrams > parent.remainingGrams) {
    throw refuse(
      'SPLIT_EXCEEDS_REMAINING',
      `Batch ${batchId} has ${parent.remainingGrams} g left; ${splitGrams} g cannot be split off`,
      { batchId, remainingGrams: parent.remainingGrams, splitGrams },
    );
  }
  occurredAtMustNotPrecedeCustody(occurredAt, parent);
  const { orgId, facilityId } = parent.custodian;
  return [
    eventsFor('batches', batchId, [
      {
        type: 'BatchSplit',
        data: {
          batchId,
          splitId,
          orgId,
          facilityId,
          outputs: outputs.map((output) => ({ batchId: output.batchId, massGrams: output.massGrams })),
          remainingGrams: parent.remainingGrams - splitGrams,
          occurredAt,
        },
      },
    ]),
    ...outputs.map((output) =>
      eventsFor(
        'batches',
        output.batchId,
        childEvents({
          type: 'BatchSplitOff',
          data: {
            batchId: output.batchId,
            splitId,
            fromBatchId: batchId,
            orgId,
            facilityId,
            material: parent.material,
            massGrams: output.massGrams,
            occurredAt,
          },
        }),
      ),
    ),
  ];
}
