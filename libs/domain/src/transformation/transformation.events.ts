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

/** One output of a transformation as it was declared, with the share of the process it carries. */
export interface TransformationOutput {
  readonly batchId: string;
  readonly material: Material;
  readonly massGrams: number;
  readonly grade?: Grade;
  readonly allocation: OutputAllocation;
}

/**
 * The whole declaration of a transformation, recorded once on its own stream `transformation-{id}` in the
 * same atomic append as its batches' events (schema 2, ADR 0021): every input and output is named here
 * and nowhere else, so a transformation of n inputs and m outputs stores n + m references, not 2·n·m.
 * `inputs` and `outputs` are top-level arrays of objects: each element is its own committed field.
 */
export type TransformationRecorded = {
  type: 'TransformationRecorded';
  data: {
    transformationId: string;
    process: Process;
    orgId: string;
    facilityId: string;
    inputs: { batchId: string; consumedGrams: number }[];
    outputs: TransformationOutput[];
    /** Declared residues of the whole transformation, and the unaccounted loss, in grams. */
    residues: Residue[];
    unaccountedLossGrams: number;
    /** The whole process's emissions (kg CO2e); each output carries its `allocation.share` of them. */
    processEmissionsKgCo2e: number;
    occurredAt: string;
  };
};

/**
 * Appended to each input batch of a transformation, in the same atomic append as the outputs: the input's
 * own facts; the outputs are in the transformation's stream.
 */
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
    occurredAt: string;
  };
};

/**
 * Appended to each new output batch of a transformation: the output's own facts; the inputs, residues and
 * process emissions are in the transformation's stream.
 */
export type BatchProduced = {
  type: 'BatchProduced';
  data: {
    batchId: string;
    transformationId: string;
    process: Process;
    orgId: string;
    facilityId: string;
    material: Material;
    massGrams: number;
    grade?: Grade;
    /** This output's share of the process's inputs and emissions. */
    allocation: OutputAllocation;
    occurredAt: string;
  };
};

/**
 * Schema 1 (before ADR 0021) wrote each transformation's lists into every batch's event: `BatchRefined`
 * with every output's id, `BatchProduced` with every input and the whole process's figures. A v1 event
 * reads as its v2 type with these fields besides (`decodeEvent` keeps them); only the transformations
 * projection reads them, to rebuild the declaration a v1 log never recorded on its own.
 */
export interface SchemaV1BatchRefinedData {
  readonly outputBatchIds: string[];
}
export interface SchemaV1BatchProducedData {
  readonly inputs: { batchId: string; consumedGrams: number }[];
  readonly processEmissionsKgCo2e: number;
  readonly residues: Residue[];
  readonly unaccountedLossGrams: number;
}

/** The events a transformation appends to its batches' streams. */
export type TransformationBatchEvent = BatchRefined | BatchProduced;

/** The events of a transformation's own stream. */
export type TransformationEvent = TransformationRecorded;
