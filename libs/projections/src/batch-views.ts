import { BATCH_CUSTODY, type BatchCustodyView } from './batch-custody.projection';
import { CARBON, type CarbonContribution, type CarbonView } from './carbon.projection';
import { certificationOf, type CertificationView } from './certification';
import type { ViewLookup } from './document-projection';
import { heldAncestorOf } from './holds';
import {
  type Origin,
  PROVENANCE,
  type ProvenanceChild,
  type ProvenanceParent,
  type ProvenanceView,
} from './provenance.projection';

/**
 * A batch's views as the API serves them, computed from any source of view documents: the live read
 * models, the views as they stood at an earlier position, or the events of an audit bundle alone. One
 * function per view, so what is served, what a bundle claims and what a verifier recomputes never drift.
 */
export interface ProvenanceSummary {
  batchId: string;
  parents: ProvenanceParent[];
  children: ProvenanceChild[];
  depth: number;
  origins: Origin[];
}

export interface CarbonSummary {
  batchId: string;
  embodiedKgCo2e: number;
  intensityKgCo2ePerKg: number;
  primaryDataShare: number;
  breakdown: CarbonContribution[];
}

/** The chain-of-custody view, with the nearest held ancestor worked out as it is read. */
export function custodyOf(batchId: string, lookup: ViewLookup): BatchCustodyView | undefined {
  const view = lookup(BATCH_CUSTODY, batchId) as BatchCustodyView | undefined;
  return view && { ...view, heldVia: heldAncestorOf(batchId, lookup) };
}

export function provenanceOf(batchId: string, lookup: ViewLookup): ProvenanceSummary | undefined {
  const view = lookup(PROVENANCE, batchId) as ProvenanceView | undefined;
  if (!view) return undefined;
  const { parents, children, depth, origins } = view;
  return { batchId, parents: [...parents], children: [...children], depth, origins: [...origins] };
}

export function carbonOf(batchId: string, lookup: ViewLookup): CarbonSummary | undefined {
  const view = lookup(CARBON, batchId) as CarbonView | undefined;
  if (!view) return undefined;
  const { embodiedKgCo2e, intensityKgCo2ePerKg, primaryDataShare, breakdown } = view;
  return { batchId, embodiedKgCo2e, intensityKgCo2ePerKg, primaryDataShare, breakdown: [...breakdown] };
}

/** The four views an audit bundle claims for its batch. */
export interface BatchViews {
  readonly custody: BatchCustodyView;
  readonly provenance: ProvenanceSummary;
  readonly carbon: CarbonSummary;
  readonly certification: CertificationView;
}

export function batchViewsOf(batchId: string, lookup: ViewLookup): BatchViews | undefined {
  const custody = custodyOf(batchId, lookup);
  const provenance = provenanceOf(batchId, lookup);
  const carbon = carbonOf(batchId, lookup);
  const certification = certificationOf(batchId, lookup);
  if (!custody || !provenance || !carbon || !certification) return undefined;
  return { custody, provenance, carbon, certification };
}
