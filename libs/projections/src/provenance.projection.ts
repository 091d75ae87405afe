import type { Withheld } from '@tracelode/event-store';
import { gramsToKg } from '@tracelode/domain';
import { type DerivingEvent, derivationOf, feedsOf, isDeriving, isFeeding } from './derivation';
import { type DocumentProjection, NO_VIEWS, type ViewLookup } from './document-projection';
import { ORGANISATIONS, type OrganisationView } from './organisations.projection';
import { TRANSFORMATIONS, type TransformationView } from './transformations.projection';

/**
 * An input this batch was made from, and how much of it the step consumed. `transformationId` names the
 * step: a transformation, a split or a blend (their ids are the step's).
 */
export interface ProvenanceParent {
  readonly batchId: string;
  readonly consumedKg: number;
  readonly transformationId: string;
}

/** A batch this one went into (by a transformation, split or blend: `transformationId` is its id). */
export interface ProvenanceChild {
  /** Withheld (`{"...": digest}`) in an audit bundle that withholds a sibling output (ADR 0022). */
  readonly batchId: string | Withheld;
  readonly transformationId: string;
}

/** A mined batch this batch descends from, and the share of this batch's mass traced to it. */
export interface Origin {
  readonly batchId: string;
  readonly facilityId: string;
  readonly orgId: string;
  /** ISO 3166-1 alpha-2 of the mine; null only if its facility was never registered (the decider prevents it). */
  readonly country: string | null;
  readonly massFraction: number;
}

/** The provenance view of one batch: its place in the transformation DAG and its origin mix. */
export interface ProvenanceView {
  readonly batchId: string;
  readonly parents: readonly ProvenanceParent[];
  readonly children: readonly ProvenanceChild[];
  /** 0 for a mined batch; 1 + the deepest input for a produced one. */
  readonly depth: number;
  readonly origins: readonly Origin[];
  /** Log position of the last event this view reflects. */
  readonly position: string;
}

export const PROVENANCE = 'provenance';

/**
 * Maintained incrementally: a produced batch's view is computed from its inputs' views alone when its
 * `BatchProduced` is applied, so reading or writing it never depends on the size of the ledger.
 */
export const provenanceProjection: DocumentProjection<ProvenanceView> = {
  collection: PROVENANCE,
  keyOf: (event) =>
    event.type === 'BatchMined' || isDeriving(event) || isFeeding(event)
      ? (event.data as { batchId: string }).batchId
      : undefined,
  /**
   * A corrected derived lot whose inputs' consumed masses changed (a split-off child's mass, a blend's
   * consumed masses, a transformation's, after its declaration was corrected), and every batch made from
   * it, recomputed in order of depth from their parents as they stand (ADR 0024).
   */
  alsoChanges(event, lookup, stored) {
    if (event.type !== 'EventCorrected' || event.data.batchId === undefined) return [];
    const { batchId, eventType, corrected } = event.data;
    const own = lookup(PROVENANCE, batchId) as ProvenanceView | undefined;
    if (!own) return [];
    const position = stored.position.toString();
    const consumed = (view: ProvenanceView) =>
      view.parents.map((parent) => ({
        batchId: parent.batchId,
        consumedGrams: Math.round(parent.consumedKg * 1000),
      }));
    let inputs: { batchId: string; consumedGrams: number }[] | undefined;
    if (eventType === 'BatchSplitOff' && typeof corrected.massGrams === 'number') {
      inputs = consumed(own).map((input) => ({ ...input, consumedGrams: corrected.massGrams as number }));
    } else if (eventType === 'BlendProduced' && Array.isArray(corrected.inputs)) {
      inputs = corrected.inputs as { batchId: string; consumedGrams: number }[];
    } else if (eventType === 'BatchProduced') {
      const stepId = own.parents[0]?.transformationId;
      const declaration =
        stepId !== undefined
          ? (lookup(TRANSFORMATIONS, stepId) as TransformationView | undefined)
          : undefined;
      inputs = declaration?.inputs;
    }
    if (!inputs) return [];
    const stepId = own.parents[0]?.transformationId ?? '';
    const recompute =
      (id: string, from: (view: ProvenanceView) => { batchId: string; consumedGrams: number }[]) =>
      (view: ProvenanceView | undefined): ProvenanceView => {
        const current = view ?? own;
        const step = current.parents[0]?.transformationId ?? stepId;
        return { ...current, ...mixOf(id, step, from(current), lookup), position };
      };
    const descendants = traceDescendants(own, (id) => lookup(PROVENANCE, id) as ProvenanceView | undefined)
      .map(({ batchId: id }) => ({
        id,
        depth: (lookup(PROVENANCE, id) as ProvenanceView | undefined)?.depth ?? 0,
      }))
      .sort((a, b) => a.depth - b.depth);
    const ownInputs = inputs;
    return [
      [batchId, recompute(batchId, () => ownInputs)] as const,
      ...descendants.map(({ id }) => [id, recompute(id, consumed)] as const),
    ];
  },
  evolve(view, event, stored, lookup = NO_VIEWS) {
    const position = stored.position.toString();
    switch (event.type) {
      case 'BatchMined': {
        const { batchId, orgId, facilityId } = event.data;
        // v2 records the mine's country; a v1 event (upcast to null) reads it from the registration.
        const country = event.data.country ?? facilityCountry(lookup, orgId, facilityId);
        const origins = [{ batchId, facilityId, orgId, country, massFraction: 1 }];
        return { batchId, parents: [], children: [], depth: 0, origins, position };
      }
      case 'BatchProduced':
      case 'BatchSplitOff':
      case 'BlendProduced':
        return produced(event, lookup, position);
      default: {
        const fed = feedsOf(event, lookup);
        if (!fed) throw new Error(`${event.type} cannot change a provenance view`);
        if (!view)
          throw new Error(
            `${event.type} for batch ${(event.data as { batchId: string }).batchId} that has no provenance`,
          );
        const { stepId: transformationId, outputBatchIds } = fed;
        const children = [
          ...view.children,
          ...outputBatchIds.map((batchId) => ({ batchId, transformationId })),
        ];
        return { ...view, children, position };
      }
    }
  },
};

function produced(event: DerivingEvent, lookup: ViewLookup, position: string): ProvenanceView {
  const { batchId } = event.data;
  const { stepId: transformationId, inputs } = derivationOf(event, lookup);
  const { parents, depth, origins } = mixOf(batchId, transformationId, inputs, lookup);
  // Fields in the order the view always had (views-unchanged compares stored documents).
  return { batchId, parents, children: [], depth, origins, position };
}

/** A derived lot's parents, depth and origin mix, from what each input supplied and the inputs' views. */
function mixOf(
  batchId: string,
  transformationId: string,
  inputs: readonly { batchId: string; consumedGrams: number }[],
  lookup: ViewLookup,
): Pick<ProvenanceView, 'parents' | 'depth' | 'origins'> {
  const consumedTotal = inputs.reduce((sum, input) => sum + input.consumedGrams, 0);
  // Every output of a transformation gets the same input mix: the origins of the inputs, each weighted
  // by the share of the consumed mass it supplied, merged by mined batch (a DAG can reach one twice).
  // The sums are kept apart from the origins, so 100 inputs of 100 origins each do not copy an origin 10,000 times.
  const sums = new Map<string, { origin: Origin; massFraction: number }>();
  let depth = 0;
  for (const input of inputs) {
    const parent = inputView(lookup, input.batchId, batchId);
    depth = Math.max(depth, parent.depth + 1);
    const weight = input.consumedGrams / consumedTotal;
    for (const origin of parent.origins) {
      const known = sums.get(origin.batchId);
      if (known) known.massFraction += weight * origin.massFraction;
      else sums.set(origin.batchId, { origin, massFraction: 0 + weight * origin.massFraction });
    }
  }
  const origins = new Map(
    [...sums].map(([id, { origin, massFraction }]) => [id, { ...origin, massFraction }]),
  );
  const parents = inputs.map((input) => ({
    batchId: input.batchId,
    consumedKg: gramsToKg(input.consumedGrams),
    transformationId,
  }));
  return { parents, depth, origins: [...origins.values()] };
}

function inputView(lookup: ViewLookup, inputId: string, outputId: string): ProvenanceView {
  const view = lookup(PROVENANCE, inputId) as ProvenanceView | undefined;
  if (!view) throw new Error(`Batch ${outputId} names input ${inputId}, which has no provenance`);
  return view;
}

/** The country of an organisation's facility, from the organisations view. */
export function facilityCountry(lookup: ViewLookup, orgId: string, facilityId: string): string | null {
  const organisation = lookup(ORGANISATIONS, orgId) as OrganisationView | undefined;
  return organisation?.facilities.find((facility) => facility.facilityId === facilityId)?.country ?? null;
}

/** A batch downstream of another, how many transformations below it, and through which it was first reached. */
export interface Descendant {
  readonly batchId: string;
  readonly depth: number;
  readonly viaTransformationId: string;
}

/**
 * The downstream trace (what a lot ended up in): breadth-first through the children links, each batch once
 * at its shallowest depth. Read time is proportional to the downstream DAG, not to the ledger.
 */
export function traceDescendants(
  start: ProvenanceView,
  viewOf: (batchId: string) => ProvenanceView | undefined,
): Descendant[] {
  const seen = new Set([start.batchId]);
  const found: Descendant[] = [];
  let frontier = [start];
  for (let depth = 1; frontier.length > 0; depth++) {
    const next: ProvenanceView[] = [];
    for (const view of frontier) {
      for (const child of view.children) {
        if (typeof child.batchId !== 'string') continue; // withheld in a bundle: not traced
        if (seen.has(child.batchId)) continue;
        seen.add(child.batchId);
        found.push({ batchId: child.batchId, depth, viaTransformationId: child.transformationId });
        const childView = viewOf(child.batchId);
        if (childView) next.push(childView);
      }
    }
    frontier = next;
  }
  return found;
}
