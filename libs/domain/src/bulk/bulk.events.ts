import type { Material } from '../shared/material';

/**
 * A lot divided at its facility, without processing (wire name, never reshaped): appended to the parent,
 * in the same atomic append as a `BatchSplitOff` on each child. The parent keeps what is not split off.
 */
export type BatchSplit = {
  type: 'BatchSplit';
  data: {
    batchId: string;
    splitId: string;
    orgId: string;
    facilityId: string;
    outputs: { batchId: string; massGrams: number }[];
    /** The parent's mass left in custody after the split. */
    remainingGrams: number;
    occurredAt: string;
  };
};

/** A child lot coming into being by a split: the parent's material, facility and custodian. */
export type BatchSplitOff = {
  type: 'BatchSplitOff';
  data: {
    batchId: string;
    splitId: string;
    fromBatchId: string;
    orgId: string;
    facilityId: string;
    material: Material;
    massGrams: number;
    occurredAt: string;
  };
};

/** Appended to each input of a blend, in the same atomic append as the blend's `BlendProduced`. */
export type BatchBlended = {
  type: 'BatchBlended';
  data: {
    batchId: string;
    blendId: string;
    orgId: string;
    facilityId: string;
    consumedGrams: number;
    /** The input's mass left in custody after the blend. */
    remainingGrams: number;
    outputBatchId: string;
    occurredAt: string;
  };
};

/** A lot made by blending lots of one form at one facility: no processing, mass = Σ consumed. */
export type BlendProduced = {
  type: 'BlendProduced';
  data: {
    batchId: string;
    blendId: string;
    orgId: string;
    facilityId: string;
    inputs: { batchId: string; consumedGrams: number }[];
    material: Material;
    massGrams: number;
    occurredAt: string;
  };
};

export type BulkEvent = BatchSplit | BatchSplitOff | BatchBlended | BlendProduced;
