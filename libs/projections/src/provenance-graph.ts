import { BATCH_CUSTODY, type BatchCustodyView } from './batch-custody.projection';
import type { CertificationView } from './certification';
import type { ViewLookup } from './document-projection';
import { facilityCountry, PROVENANCE, type ProvenanceView } from './provenance.projection';

/** Which way a provenance graph runs from its lot: back to the mines, or down to what it went into. */
export type GraphDirection = 'ancestors' | 'descendants';

/** How one scheme covers a node's own steps in the lot's chain (ancestors only): its gaps, if any. */
export interface NodeCoverage {
  readonly scheme: string;
  readonly covered: boolean;
  /** The node's uncovered steps: which step and why (`NO_CERTIFICATE`, `REVOKED`, …). */
  readonly gaps: readonly { readonly step: string; readonly reason: string }[];
}

/** A batch of the graph: what it is, where it was made, how much, and how certification covers it. */
export interface ProvenanceGraphNode {
  readonly batchId: string;
  /** 0 for a mined batch; 1 + its deepest input otherwise (as the provenance view has it). */
  readonly depth: number;
  /** Transformations between the graph's lot and this batch, by the shortest path (0: the lot itself). */
  readonly distance: number;
  readonly form: string | null;
  readonly elements: readonly string[];
  readonly massKg: number | null;
  /** Where it was mined or produced (a mine or a transformation site), and that facility's country. */
  readonly site: {
    /** Null where the reader may not know who made it (a split or blend at a custody-only party's site). */
    readonly orgId: string | null;
    readonly facilityId: string | null;
    readonly country: string | null;
    /** The event that made the batch: `BatchMined`, `BatchProduced`, `BatchSplitOff`, `BlendProduced`, … */
    readonly step: string;
  } | null;
  /** Ancestors: each scheme of the lot's certification; null in a descendants graph. */
  readonly certification: readonly NodeCoverage[] | null;
}

/** An input consumed: `from` went into `to`, `consumedKg` of it, `share` of all `to` was made from. */
export interface ProvenanceGraphEdge {
  readonly from: string;
  readonly to: string;
  readonly transformationId: string;
  readonly consumedKg: number;
  readonly share: number;
}

export interface ProvenanceGraphView {
  readonly batchId: string;
  readonly direction: GraphDirection;
  readonly nodes: readonly ProvenanceGraphNode[];
  readonly edges: readonly ProvenanceGraphEdge[];
}

/** The graph holds more batches than a read may return: the walk stops as soon as it knows. */
export class GraphTooLargeError extends Error {
  override readonly name = 'GraphTooLargeError';
  constructor(readonly maxNodes: number) {
    super(`The lot's provenance graph holds more than ${maxNodes} batches`);
  }
}

/**
 * A lot's provenance graph in one read: breadth-first from the lot through the provenance views' parents
 * (ancestors) or children (descendants), each batch and each link once, so the cost follows the graph
 * (two view lookups a batch, one a link, one per organisation met). More than `maxNodes` batches:
 * `GraphTooLargeError`, raised before the rest is read. Undefined when the lot has no provenance.
 *
 * Ancestors carry the lot's certification (`certification`) node by node: each scheme, and the node's
 * uncovered steps with why (the step and the reason are shown to every reader of the lot, so no reader's
 * view of them differs). What a reader may see of a descendants graph: `visibleDescendantGraph`.
 */
export function provenanceGraphOf(
  batchId: string,
  direction: GraphDirection,
  lookup: ViewLookup,
  options: {
    readonly maxNodes: number;
    /**
     * The lot's certification (ancestors), asked for only once the walk is within `maxNodes`: a graph too
     * large to return costs no certification.
     */
    readonly certification?: () => CertificationView | undefined;
    /**
     * Descendants the reader may list: only those count towards `maxNodes`, so a refusal never tells a
     * reader more than the descendants view would (the others are walked through, as that view walks them).
     */
    readonly listed?: (batchId: string) => boolean;
  },
): ProvenanceGraphView | undefined {
  const start = lookup(PROVENANCE, batchId) as ProvenanceView | undefined;
  if (!start) return undefined;
  const listed = options.listed ?? (() => true);
  let counted = 1;
  const distance = new Map<string, number>([[batchId, 0]]);
  const views = new Map<string, ProvenanceView>([[batchId, start]]);
  let frontier = [start];
  for (let step = 1; frontier.length > 0; step++) {
    const next: ProvenanceView[] = [];
    for (const view of frontier) {
      const linked =
        direction === 'ancestors'
          ? view.parents.map((parent) => parent.batchId)
          : view.children.flatMap((child) => (typeof child.batchId === 'string' ? [child.batchId] : []));
      for (const id of linked) {
        if (views.has(id)) continue;
        const found = lookup(PROVENANCE, id) as ProvenanceView | undefined;
        if (!found) continue;
        if (listed(id) && ++counted > options.maxNodes) throw new GraphTooLargeError(options.maxNodes);
        views.set(id, found);
        distance.set(id, step);
        next.push(found);
      }
    }
    frontier = next;
  }
  const kept = (id: string) => views.has(id);
  const edges: ProvenanceGraphEdge[] = [];
  // Each link once, from the consuming batch's parents: its share is of all that batch consumed.
  for (const view of views.values()) {
    const total = view.parents.reduce((sum, parent) => sum + parent.consumedKg, 0);
    for (const parent of view.parents) {
      if (!kept(parent.batchId)) continue;
      edges.push({
        from: parent.batchId,
        to: view.batchId,
        transformationId: parent.transformationId,
        consumedKg: parent.consumedKg,
        share: total === 0 ? 0 : parent.consumedKg / total,
      });
    }
  }
  const coverage = direction === 'ancestors' ? coverageByBatch(options.certification?.()) : undefined;
  const countries = new Map<string, string | null>();
  const countryOf = (orgId: string, facilityId: string) => {
    const key = `${orgId}\u0000${facilityId}`;
    if (!countries.has(key)) countries.set(key, facilityCountry(lookup, orgId, facilityId));
    return countries.get(key) ?? null;
  };
  const nodes: ProvenanceGraphNode[] = [];
  for (const view of views.values()) {
    const custody = lookup(BATCH_CUSTODY, view.batchId) as BatchCustodyView | undefined;
    const first = custody?.timeline[0];
    const made = first?.details as { orgId?: unknown; facilityId?: unknown } | undefined;
    const site =
      first && typeof made?.orgId === 'string' && typeof made.facilityId === 'string'
        ? {
            orgId: made.orgId,
            facilityId: made.facilityId,
            country: countryOf(made.orgId, made.facilityId),
            step: first.type,
          }
        : null;
    nodes.push({
      batchId: view.batchId,
      depth: view.depth,
      distance: distance.get(view.batchId) ?? 0,
      form: custody?.material.form ?? null,
      elements: custody?.material.elements ?? [],
      massKg: custody?.massKg ?? null,
      site,
      certification: coverage ? coverage(view.batchId) : null,
    });
  }
  return { batchId, direction, nodes, edges };
}

/** Each batch's coverage by each scheme of the lot's certification, from its gaps (one pass over them). */
function coverageByBatch(certification: CertificationView | undefined) {
  const gaps = new Map<string, Map<string, { step: string; reason: string }[]>>();
  for (const scheme of certification?.schemes ?? [])
    for (const gap of scheme.gaps) {
      const ofBatch = gaps.get(gap.batchId) ?? new Map<string, { step: string; reason: string }[]>();
      gaps.set(gap.batchId, ofBatch);
      ofBatch.set(scheme.scheme, [
        ...(ofBatch.get(scheme.scheme) ?? []),
        { step: gap.step, reason: gap.reason },
      ]);
    }
  return (batchId: string): NodeCoverage[] =>
    (certification?.schemes ?? []).map((scheme) => {
      const found = gaps.get(batchId)?.get(scheme.scheme) ?? [];
      return { scheme: scheme.scheme, covered: found.length === 0, gaps: found };
    });
}

/** The most batches one graph read returns unless configured (TRACELODE_MAX_GRAPH_NODES). */
export const DEFAULT_MAX_GRAPH_NODES = 5_000;
