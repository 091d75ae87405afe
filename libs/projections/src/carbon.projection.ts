import { gramsToKg, type Material, type Process } from '@tracelode/domain';
import { type DerivingEvent, derivationOf, isDeriving } from './derivation';
import { type DocumentProjection, NO_VIEWS, type ViewLookup } from './document-projection';
import { TRANSFORMATIONS, type TransformationView } from './transformations.projection';
import { facilityCountry, PROVENANCE, type ProvenanceView, traceDescendants } from './provenance.projection';

/** Where a batch's embodied carbon was emitted: one process step (or extraction) at one facility. */
export interface CarbonContribution {
  /** null for extraction at a mine. */
  readonly transformationId: string | null;
  readonly process: Process | 'extraction';
  readonly facilityId: string;
  readonly kgCo2e: number;
}

/** The carbon footprint view of one batch, cradle to its own gate. */
export interface CarbonView {
  readonly batchId: string;
  /** kg CO2e embodied in the whole batch as it was mined or produced (`massKg`). */
  readonly embodiedKgCo2e: number;
  readonly intensityKgCo2ePerKg: number;
  /**
   * Our definition: the mass fraction of the batch's origins whose mined batch reported its extraction
   * emissions (rather than leaving them out, counted as 0). Process emissions are always reported data.
   */
  readonly primaryDataShare: number;
  /** Sums to `embodiedKgCo2e`; one entry per (transformationId, facilityId). */
  readonly breakdown: readonly CarbonContribution[];
  /** The mass the embodied carbon and the breakdown describe. */
  readonly massKg: number;
  /** How the batch came into being. */
  readonly process: Process | 'extraction' | 'split' | 'blend';
  readonly material: Material;
  /** The producer (miner, or maker of the output) and where, for the PACT export. */
  readonly orgId: string;
  readonly facilityId: string;
  readonly country: string | null;
  readonly occurredAt: string;
  /** Earliest activity in the batch's history (UTC), and when the ledger recorded this batch. */
  readonly referencePeriodStart: string;
  readonly recordedAt: string;
  readonly position: string;
  /** What a derived batch's carbon follows from (absent for a mined batch). */
  readonly basis?: CarbonBasis;
}

/** A derived batch's inputs, its step's own emissions and its allocation share: its carbon's recipe. */
export interface CarbonBasis {
  readonly stepId: string;
  readonly inputs: readonly { readonly batchId: string; readonly consumedGrams: number }[];
  /** The whole step's emissions (0 for a split or blend) and this batch's share of the step. */
  readonly processEmissionsKgCo2e: number;
  readonly share: number;
}

export const CARBON = 'carbon';

/** The events that bring a lot into being: a correction of one changes the lot's carbon and its descendants'. */
const ORIGIN_EVENTS = new Set(['BatchMined', 'BatchProduced', 'BatchSplitOff', 'BlendProduced']);

/**
 * Computed once, when the batch comes into being, from its inputs' carbon views alone. Later events do not
 * change it: a shortfall in transit (BatchReceived with a discrepancy) loses kilograms, not intensity — the
 * kg CO2e per kg of what arrives is what it was at the gate, and a consumer carries consumed kg × intensity.
 */
export const carbonProjection: DocumentProjection<CarbonView> = {
  collection: CARBON,
  keyOf: (event) => (event.type === 'BatchMined' || isDeriving(event) ? event.data.batchId : undefined),
  /**
   * A corrected lot that came into being (a mined lot's mass, emissions or time; a split-off child's or a
   * blend's mass; a transformation's output, after its declaration was corrected) and every batch made from
   * it, recomputed in order of depth (each after all its inputs) from their bases: the correction reaches
   * every descendant (ADR 0024).
   */
  alsoChanges(event, lookup, stored) {
    if (event.type !== 'EventCorrected' || event.data.batchId === undefined) return [];
    const { batchId, corrected, eventType } = event.data;
    if (!ORIGIN_EVENTS.has(eventType)) return [];
    const position = stored?.position.toString();
    const own = lookup(CARBON, batchId) as CarbonView | undefined;
    const provenance = lookup(PROVENANCE, batchId) as ProvenanceView | undefined;
    if (!own || !provenance) return [];
    const descendants = traceDescendants(
      provenance,
      (id) => lookup(PROVENANCE, id) as ProvenanceView | undefined,
    )
      .map(({ batchId: id }) => ({
        id,
        depth: (lookup(PROVENANCE, id) as ProvenanceView | undefined)?.depth ?? 0,
      }))
      .sort((a, b) => a.depth - b.depth);
    const recomputeMined = (view: CarbonView | undefined): CarbonView => {
      const current = view ?? own;
      const massKg =
        typeof corrected.massGrams === 'number' ? gramsToKg(corrected.massGrams) : current.massKg;
      const reported = typeof corrected.extractionEmissionsKgCo2e === 'number';
      const embodiedKgCo2e = reported
        ? (corrected.extractionEmissionsKgCo2e as number)
        : current.embodiedKgCo2e;
      const occurredAt = typeof corrected.occurredAt === 'string' ? corrected.occurredAt : current.occurredAt;
      return {
        ...current,
        embodiedKgCo2e,
        intensityKgCo2ePerKg: embodiedKgCo2e / massKg,
        primaryDataShare: reported ? 1 : current.primaryDataShare,
        breakdown: [{ ...current.breakdown[0]!, kgCo2e: embodiedKgCo2e }],
        massKg,
        occurredAt,
        referencePeriodStart: utc(occurredAt),
        position: position ?? current.position,
      };
    };
    // A derived lot's own figures as corrected: its mass, time, and its basis (inputs, emissions, share).
    const recomputeOwn = (view: CarbonView | undefined): CarbonView => {
      const current = view ?? own;
      const basis = current.basis;
      if (!basis) throw new Error(`Batch ${batchId} has no carbon basis to recompute`);
      const massGrams =
        typeof corrected.massGrams === 'number' ? corrected.massGrams : Math.round(current.massKg * 1000);
      const occurredAt = typeof corrected.occurredAt === 'string' ? corrected.occurredAt : current.occurredAt;
      let next: CarbonBasis = basis;
      if (eventType === 'BatchSplitOff') {
        next = { ...basis, inputs: basis.inputs.map((input) => ({ ...input, consumedGrams: massGrams })) };
      } else if (eventType === 'BlendProduced' && Array.isArray(corrected.inputs)) {
        next = { ...basis, inputs: corrected.inputs as CarbonBasis['inputs'] };
      } else if (eventType === 'BatchProduced') {
        const declaration = lookup(TRANSFORMATIONS, basis.stepId) as TransformationView | undefined;
        const output = declaration?.outputs.find((candidate) => candidate.batchId === batchId);
        if (declaration && output) {
          next = {
            ...basis,
            inputs: declaration.inputs,
            processEmissionsKgCo2e: declaration.processEmissionsKgCo2e,
            share: output.allocation.share,
          };
        }
      }
      const batch = {
        batchId,
        massGrams,
        process: current.process,
        facilityId: current.facilityId,
        occurredAt,
      };
      return {
        ...current,
        ...derive(next, batch, lookup),
        basis: next,
        massKg: gramsToKg(massGrams),
        occurredAt,
        position: position ?? current.position,
      };
    };
    const recomputeDerived =
      (id: string) =>
      (view: CarbonView | undefined): CarbonView => {
        if (!view?.basis) throw new Error(`Batch ${id} has no carbon basis to recompute`);
        const { massKg, process, facilityId, occurredAt } = view;
        const batch = { batchId: id, massGrams: Math.round(massKg * 1000), process, facilityId, occurredAt };
        return { ...view, ...derive(view.basis, batch, lookup), position: position ?? view.position };
      };
    return [
      [batchId, eventType === 'BatchMined' ? recomputeMined : recomputeOwn] as const,
      ...descendants.map(({ id }) => [id, recomputeDerived(id)] as const),
    ];
  },
  evolve(_view, event, stored, lookup = NO_VIEWS) {
    const position = stored.position.toString();
    const { recordedAt } = stored;
    if (event.type === 'BatchMined') {
      const { batchId, orgId, facilityId, massGrams, extractionEmissionsKgCo2e, material, occurredAt } =
        event.data;
      const massKg = gramsToKg(massGrams);
      const embodiedKgCo2e = extractionEmissionsKgCo2e ?? 0;
      return {
        batchId,
        embodiedKgCo2e,
        intensityKgCo2ePerKg: embodiedKgCo2e / massKg,
        primaryDataShare: extractionEmissionsKgCo2e === undefined ? 0 : 1,
        breakdown: [{ transformationId: null, process: 'extraction', facilityId, kgCo2e: embodiedKgCo2e }],
        massKg,
        process: 'extraction',
        material,
        orgId,
        facilityId,
        country: event.data.country ?? facilityCountry(lookup, orgId, facilityId),
        occurredAt,
        referencePeriodStart: utc(occurredAt),
        recordedAt,
        position,
      };
    }
    if (isDeriving(event)) return produced(event, lookup, recordedAt, position);
    throw new Error(`${event.type} cannot change a carbon view`);
  },
};

function produced(
  event: DerivingEvent,
  lookup: ViewLookup,
  recordedAt: string,
  position: string,
): CarbonView {
  const { batchId, orgId, facilityId, massGrams, occurredAt } = event.data;
  const { stepId, inputs, processEmissionsKgCo2e } = derivationOf(event, lookup);
  const transformed = event.type === 'BatchProduced' ? event.data : undefined;
  const process = transformed?.process ?? (event.type === 'BatchSplitOff' ? 'split' : 'blend');
  const basis: CarbonBasis = {
    stepId,
    inputs,
    processEmissionsKgCo2e,
    share: transformed?.allocation.share ?? 1,
  };
  const material =
    transformed?.grade !== undefined
      ? { ...event.data.material, grade: transformed.grade }
      : event.data.material;
  return {
    ...derive(basis, { batchId, massGrams, process, facilityId, occurredAt }, lookup),
    batchId,
    massKg: gramsToKg(massGrams),
    process,
    material,
    orgId,
    facilityId,
    country: facilityCountry(lookup, orgId, facilityId),
    occurredAt,
    recordedAt,
    position,
    basis,
  };
}

/**
 * A derived batch's carbon from its basis and its inputs' carbon views as they stand: computed when the
 * batch comes into being, and again when a correction upstream changes an input's.
 */
export function derive(
  basis: CarbonBasis,
  batch: {
    batchId: string;
    massGrams: number;
    process: CarbonView['process'];
    facilityId: string;
    occurredAt: string;
  },
  lookup: ViewLookup,
): Pick<
  CarbonView,
  'embodiedKgCo2e' | 'intensityKgCo2ePerKg' | 'primaryDataShare' | 'breakdown' | 'referencePeriodStart'
> {
  const { stepId: transformationId, inputs, processEmissionsKgCo2e, share } = basis;
  const { batchId, massGrams, process, facilityId, occurredAt } = batch;
  const massKg = gramsToKg(massGrams);
  const consumedTotal = inputs.reduce((sum, input) => sum + input.consumedGrams, 0);

  let upstreamKgCo2e = 0;
  let primaryDataShare = 0;
  let referencePeriodStart = utc(occurredAt);
  // Sums kept apart from the entries, so a wide transformation does not copy an entry per input per step.
  const breakdown = new Map<string, { entry: CarbonContribution; kgCo2e: number }>();
  const add = (entry: CarbonContribution, kgCo2e: number) => {
    const key = `${entry.transformationId ?? ''}\u0000${entry.facilityId}`;
    const known = breakdown.get(key);
    if (known) known.kgCo2e += kgCo2e;
    else breakdown.set(key, { entry, kgCo2e: 0 + kgCo2e });
  };

  for (const input of inputs) {
    const parent = inputView(lookup, input.batchId, batchId);
    const consumedKg = gramsToKg(input.consumedGrams);
    upstreamKgCo2e += consumedKg * parent.intensityKgCo2ePerKg;
    // Weighted by consumed mass, as the origins are: the share of origins that reported extraction data.
    primaryDataShare += (input.consumedGrams / consumedTotal) * parent.primaryDataShare;
    if (parent.referencePeriodStart < referencePeriodStart)
      referencePeriodStart = parent.referencePeriodStart;
    // The input's breakdown describes all of its mass: this output carries consumed/mass of it, × share.
    const scale = (consumedKg / parent.massKg) * share;
    for (const entry of parent.breakdown) add(entry, entry.kgCo2e * scale);
  }
  // A split or a blend processes nothing: it adds no step of its own to the breakdown.
  if (process !== 'split' && process !== 'blend' && process !== 'extraction') {
    add({ transformationId, process, facilityId, kgCo2e: 0 }, processEmissionsKgCo2e * share);
  }

  // Output intensity = (Σ consumed mass × input intensity + process emissions) × share ÷ output mass
  // (docs/domain.md, "Carbon").
  const intensityKgCo2ePerKg = ((upstreamKgCo2e + processEmissionsKgCo2e) * share) / massKg;
  return {
    embodiedKgCo2e: intensityKgCo2ePerKg * massKg,
    intensityKgCo2ePerKg,
    primaryDataShare,
    breakdown: [...breakdown.values()].map(({ entry, kgCo2e }) => ({ ...entry, kgCo2e })),
    referencePeriodStart,
  };
}

function inputView(lookup: ViewLookup, inputId: string, outputId: string): CarbonView {
  const view = lookup(CARBON, inputId) as CarbonView | undefined;
  if (!view) throw new Error(`Batch ${outputId} names input ${inputId}, which has no carbon view`);
  return view;
}

/** ISO 8601 with any offset → UTC `…Z`, so instants compare as strings. */
function utc(timestamp: string): string {
  const ms = Date.parse(timestamp);
  return Number.isNaN(ms) ? timestamp : new Date(ms).toISOString();
}
