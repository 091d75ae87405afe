import {
  CARBON,
  type CarbonView,
  carbonOf,
  certificationOf,
  type CertificationView,
  custodyOf,
  DEFAULT_MAX_GRAPH_NODES,
  holdImpactOf,
  ORGANISATIONS,
  type OrganisationView,
  PROVENANCE,
  provenanceGraphOf,
  provenanceOf,
  type ProvenanceView,
  toPactFootprint,
  traceDescendants,
  type ViewLookup,
} from '@tracelode/projections';

/** A batch and everything made from it, by the live provenance views (for views that look downstream). */
export function withDescendants(batchId: string, live: ViewLookup): string[] {
  const view = live(PROVENANCE, batchId) as ProvenanceView | undefined;
  if (!view) return [batchId];
  const descendants = traceDescendants(view, (id) => live(PROVENANCE, id) as ProvenanceView | undefined);
  return [batchId, ...descendants.map((descendant) => descendant.batchId)];
}

const justTheBatch = (batchId: string): string[] => [batchId];

/** What a read may return at most (a graph's batches); the views that are not graphs ignore it. */
export interface ViewLimits {
  readonly maxGraphNodes: number;
  /** Descendants the reader may list (docs/visibility.md): the limit counts only those. */
  readonly listed?: (batchId: string) => boolean;
  /**
   * How the lot's certification is computed (default `certificationOf`): the live reads share one
   * computation between the graph and the certification a page asks for together (ViewSource).
   */
  readonly certificationOf?: (batchId: string, lookup: ViewLookup) => CertificationView | undefined;
}
const DEFAULT_LIMITS: ViewLimits = { maxGraphNodes: DEFAULT_MAX_GRAPH_NODES };

/**
 * Every view of a batch, by kind: whose histories it needs (the batch alone, or it and its descendants,
 * by the live views) and how it is read from the views. One table, so a new view is one line. Kept apart
 * from the view source (no Nest in it) because the read workers load it too.
 */
export const BATCH_VIEWS = {
  custody: { histories: justTheBatch, read: custodyOf },
  provenance: { histories: justTheBatch, read: provenanceOf },
  descendants: {
    histories: withDescendants,
    read: (batchId: string, lookup: ViewLookup) => {
      const view = lookup(PROVENANCE, batchId) as ProvenanceView | undefined;
      const descendants =
        view && traceDescendants(view, (id) => lookup(PROVENANCE, id) as ProvenanceView | undefined);
      return descendants && { batchId, direction: 'descendants' as const, descendants };
    },
  },
  /** The ancestor DAG in one read, each node with the lot's certification coverage of its steps. */
  graph: {
    histories: justTheBatch,
    read: (batchId: string, lookup: ViewLookup, limits: ViewLimits = DEFAULT_LIMITS) =>
      provenanceGraphOf(batchId, 'ancestors', lookup, {
        maxNodes: limits.maxGraphNodes,
        // Computed once the walk is within the limit: a refused graph costs no certification.
        certification: () => (limits.certificationOf ?? certificationOf)(batchId, lookup),
      }),
  },
  /** The descendant DAG in one read (what the lot went into). */
  descendantGraph: {
    histories: withDescendants,
    read: (batchId: string, lookup: ViewLookup, limits: ViewLimits = DEFAULT_LIMITS) =>
      provenanceGraphOf(batchId, 'descendants', lookup, {
        maxNodes: limits.maxGraphNodes,
        listed: limits.listed,
      }),
  },
  carbon: { histories: justTheBatch, read: carbonOf },
  footprint: {
    histories: justTheBatch,
    read: (batchId: string, lookup: ViewLookup) => {
      const carbon = lookup(CARBON, batchId) as CarbonView | undefined;
      if (!carbon) return undefined;
      const producer = lookup(ORGANISATIONS, carbon.orgId) as OrganisationView | undefined;
      return toPactFootprint(carbon, producer?.name ?? carbon.orgId);
    },
  },
  certification: {
    histories: justTheBatch,
    read: (batchId: string, lookup: ViewLookup, limits: ViewLimits = DEFAULT_LIMITS) =>
      (limits.certificationOf ?? certificationOf)(batchId, lookup),
  },
  holdImpact: { histories: withDescendants, read: holdImpactOf },
} as const;

export type BatchViewKind = keyof typeof BATCH_VIEWS;
export type BatchViewOf<Kind extends BatchViewKind> = NonNullable<
  ReturnType<(typeof BATCH_VIEWS)[Kind]['read']>
>;

/**
 * Whether a kind's live read walks every descendant of the lot (listed or not, one views lookup each), so
 * its cost follows the lot's downstream, not its own history: read in a read worker (ADR 0020).
 */
export const walksDownstream = (kind: BatchViewKind): boolean =>
  (BATCH_VIEWS[kind].histories as unknown) === withDescendants;

/** A kind's row, typed for any kind. */
export const batchViewOf = (kind: BatchViewKind) =>
  BATCH_VIEWS[kind] as unknown as {
    histories: (batchId: string, live: ViewLookup) => string[];
    read: (batchId: string, lookup: ViewLookup, limits?: ViewLimits) => unknown;
  };
