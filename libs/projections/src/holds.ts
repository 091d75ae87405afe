import { BATCH_CUSTODY, type BatchCustodyView } from './batch-custody.projection';
import type { ViewLookup } from './document-projection';
import { PROVENANCE, type ProvenanceView, traceDescendants } from './provenance.projection';

/**
 * The nearest held ancestor of a batch (breadth-first through provenance parents), or null. Worked out
 * when read, so a hold never has to touch its descendants' views; the walk is bounded by the chain.
 */
export function heldAncestorOf(batchId: string, lookup: ViewLookup): string | null {
  const seen = new Set([batchId]);
  let frontier = [batchId];
  while (frontier.length > 0) {
    const next: string[] = [];
    for (const id of frontier) {
      const provenance = lookup(PROVENANCE, id) as ProvenanceView | undefined;
      for (const parent of provenance?.parents ?? []) {
        if (seen.has(parent.batchId)) continue;
        seen.add(parent.batchId);
        const custody = lookup(BATCH_CUSTODY, parent.batchId) as BatchCustodyView | undefined;
        if (custody?.held) return parent.batchId;
        next.push(parent.batchId);
      }
    }
    frontier = next;
  }
  return null;
}

/** A batch downstream of a held batch: where it is, who has it. */
export interface HoldImpactEntry {
  readonly batchId: string;
  readonly depth: number;
  readonly viaTransformationId: string;
  readonly status: BatchCustodyView['status'] | null;
  readonly custodian: BatchCustodyView['custodian'] | null;
  readonly remainingMassKg: number | null;
}

export interface HoldImpactView {
  readonly batchId: string;
  readonly held: boolean;
  readonly custodian: BatchCustodyView['custodian'];
  readonly descendants: readonly HoldImpactEntry[];
}

/** The recall list: every descendant of a batch with its custodian, read along the downstream DAG. */
export function holdImpactOf(batchId: string, lookup: ViewLookup): HoldImpactView | undefined {
  const custody = lookup(BATCH_CUSTODY, batchId) as BatchCustodyView | undefined;
  const provenance = lookup(PROVENANCE, batchId) as ProvenanceView | undefined;
  if (!custody || !provenance) return undefined;
  const descendants = traceDescendants(
    provenance,
    (id) => lookup(PROVENANCE, id) as ProvenanceView | undefined,
  );
  return {
    batchId,
    held: custody.held,
    custodian: custody.custodian,
    descendants: descendants.map((descendant) => {
      const view = lookup(BATCH_CUSTODY, descendant.batchId) as BatchCustodyView | undefined;
      return {
        ...descendant,
        status: view?.status ?? null,
        custodian: view?.custodian ?? null,
        remainingMassKg: view?.remainingMassKg ?? null,
      };
    }),
  };
}
