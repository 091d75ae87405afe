import type { Actor } from '../shared/actor';
import { refuse } from '../shared/domain-error';
import type { BatchState, ExistingBatch } from '../batch/batch.state';

export function batchMustExist(state: BatchState, batchId: string): ExistingBatch {
  if (!state.exists) throw refuse('BATCH_NOT_FOUND', `Batch ${batchId} does not exist`);
  return state;
}

export function batchMustNotExist(state: BatchState, batchId: string, what = 'Batch'): void {
  if (state.exists) throw refuse('BATCH_ALREADY_EXISTS', `${what} ${batchId} already exists`);
}

/** In transit, the batch belongs to no facility until it is received: wait for the receipt. */
export function batchMustNotBeInTransit(batch: ExistingBatch): void {
  if (batch.status === 'in_transit') {
    throw refuse(
      'BATCH_IN_TRANSIT',
      `Batch ${batch.batchId} is in transit (shipment ${batch.openShipment?.shipmentId})`,
    );
  }
}

/** Only the organisation holding the batch may move or process it, and only while it is there. */
export function batchMustBeInActorsCustody(batch: ExistingBatch, actor: Actor): void {
  batchMustNotBeInTransit(batch);
  if (batch.status !== 'in_custody') {
    throw refuse('BATCH_NOT_AVAILABLE', `Batch ${batch.batchId} is ${batch.status}`);
  }
  batchMustBeHeldByActor(batch, actor);
}

export function batchMustBeHeldByActor(batch: ExistingBatch, actor: Actor): void {
  if (batch.custodian.orgId !== actor.orgId) {
    throw refuse('BATCH_NOT_IN_CUSTODY', `Batch ${batch.batchId} is not in the custody of ${actor.orgId}`);
  }
}

/** An exported or wholly consumed batch is gone from the chain: nothing more can happen to it. */
export function batchMustNotHaveLeft(batch: ExistingBatch): void {
  if (batch.status === 'exported') {
    throw refuse('BATCH_ALREADY_EXPORTED', `Batch ${batch.batchId} has already been exported`);
  }
  if (batch.status === 'consumed') {
    throw refuse('BATCH_CONSUMED', `Batch ${batch.batchId} was consumed by processing`);
  }
}

/** A held batch stays where it is until the regulator releases it. */
export function batchMustNotBeHeld(batch: ExistingBatch, toDo: string, name = 'Batch'): void {
  if (batch.held) throw refuse('BATCH_HELD', `${name} ${batch.batchId} is held and cannot be ${toDo}`);
}

export function massMustBePositive(massGrams: number): void {
  if (!Number.isSafeInteger(massGrams) || massGrams <= 0) {
    throw refuse('MASS_NOT_POSITIVE', 'Mass must be a positive number of grams', { massGrams });
  }
}
