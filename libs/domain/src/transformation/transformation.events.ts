import type { Grade, Material } from '../shared/material';

/** Processes a transformation may declare; the list grows as the chain does (wire values, never renamed). */
export const PROCESSES = [
  'beneficiation',
  'cracking_leaching',
  'solvent_extraction',
  'ion_exchange',
  'calcination',
  'electrolysis',
  'alloying',
  'strip_casting',
  'sintering',
  'machining',
  'recycling',
] as const;
export type Process = (typeof PROCESSES)[number];

export type AllocationMethod = 'mass' | 'economic';

/** How one output's share of the process's inputs and emissions was set. */
export interface OutputAllocation {
  readonly method: AllocationMethod;
  /** This output's share, exactly as declared (economic) or derived from mass (mass), in [0, 1]. */
  readonly share: number;
}

export interface Residue {
  readonly kind: string;
  readonly massGrams: number;
}

/** Appended to each input batch of a transformation, in the same atomic append as the outputs. */
export type BatchRefined = {
  type: 'BatchRefined';
  data: {
    batchId: string;
    transformationId: string;
    process: Process;
    orgId: string;
    facilityId: string;
    consumedGrams: number;
    /** The input's mass left in custody after this consumption. */
    remainingGrams: number;
    /** The batches this transformation produced (for the downstream trace). */
    outputBatchIds: string[];
    occurredAt: string;
  };
};

/** Appended to each new output batch of a transformation. */
export type BatchProduced = {
  type: 'BatchProduced';
  data: {
    batchId: string;
    transformationId: string;
    process: Process;
    orgId: string;
    facilityId: string;
    inputs: { batchId: string; consumedGrams: number }[];
    material: Material;
    massGrams: number;
    grade?: Grade;
    /** The whole process's emissions (kg CO2e); this output carries `allocation.share` of them. */
    processEmissionsKgCo2e: number;
    allocation: OutputAllocation;
    /** Declared residues of the whole transformation, and the unaccounted loss, in grams. */
    residues: Residue[];
    unaccountedLossGrams: number;
    occurredAt: string;
  };
};

export type TransformationEvent = BatchRefined | BatchProduced;
