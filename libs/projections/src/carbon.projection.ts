import { gramsToKg, type LedgerEvent, type Material, type Process } from '@tracelode/domain';
import { type DocumentProjection, NO_VIEWS, type ViewLookup } from './document-projection';
import { facilityCountry } from './provenance.projection';
import { producedBy } from './transformations.projection';

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
  readonly process: Process | 'extraction';
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
}

export const CARBON = 'carbon';

/**
 * Computed once, when the batch comes into being, from its inputs' carbon views alone. Later events do not
 * change it: a shortfall in transit (BatchReceived with a discrepancy) loses kilograms, not intensity — the
 * kg CO2e per kg of what arrives is what it was at the gate, and a consumer carries consumed kg × intensity.
 */
export const carbonProjection: DocumentProjection<CarbonView> = {
  collection: CARBON,
  keyOf: (event) =>
    event.type === 'BatchMined' || event.type === 'BatchProduced' ? event.data.batchId : undefined,
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
        country: facilityCountry(lookup, orgId, facilityId),
        occurredAt,
        referencePeriodStart: utc(occurredAt),
        recordedAt,
        position,
      };
    }
    if (event.type === 'BatchProduced') return produced(event, lookup, recordedAt, position);
    throw new Error(`${event.type} cannot change a carbon view`);
  },
};

function produced(
  event: Extract<LedgerEvent, { type: 'BatchProduced' }>,
  lookup: ViewLookup,
  recordedAt: string,
  position: string,
): CarbonView {
  const { batchId, transformationId, process, orgId, facilityId, massGrams, occurredAt } = event.data;
  const { allocation } = event.data;
  const { inputs, processEmissionsKgCo2e } = producedBy(event, lookup);
  const { share } = allocation;
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
  const own = { transformationId, process, facilityId, kgCo2e: 0 };
  add(own, processEmissionsKgCo2e * share);

  // Output intensity = (Σ consumed mass × input intensity + process emissions) × share ÷ output mass
  // (docs/domain.md, "Carbon").
  const intensityKgCo2ePerKg = ((upstreamKgCo2e + processEmissionsKgCo2e) * share) / massKg;
  return {
    batchId,
    embodiedKgCo2e: intensityKgCo2ePerKg * massKg,
    intensityKgCo2ePerKg,
    primaryDataShare,
    breakdown: [...breakdown.values()].map(({ entry, kgCo2e }) => ({ ...entry, kgCo2e })),
    massKg,
    process,
    material: event.data.grade ? { ...event.data.material, grade: event.data.grade } : event.data.material,
    orgId,
    facilityId,
    country: facilityCountry(lookup, orgId, facilityId),
    occurredAt,
    referencePeriodStart,
    recordedAt,
    position,
  };
}

function inputView(lookup: ViewLookup, inputId: string, outputId: string): CarbonView {
  const view = lookup(CARBON, inputId) as CarbonView | undefined;
  if (!view) throw new Error(`BatchProduced ${outputId} names input ${inputId}, which has no carbon view`);
  return view;
}

/** ISO 8601 with any offset → UTC `…Z`, so instants compare as strings. */
function utc(timestamp: string): string {
  const ms = Date.parse(timestamp);
  return Number.isNaN(ms) ? timestamp : new Date(ms).toISOString();
}
