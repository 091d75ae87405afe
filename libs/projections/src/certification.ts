import { isLate } from '@tracelode/domain';
import { BATCH_CUSTODY, type BatchCustodyView, type TimelineEntry } from './batch-custody.projection';
import {
  type CertificateStatusAt,
  type CertificateView,
  CERTIFICATES,
  CERTIFICATES_BY_SUBJECT,
  type CertificatesBySubjectView,
  certificateStatusAt,
  certificateStatusKnownAt,
  subjectKey,
} from './certificates.projection';
import { stepIdOfDetails } from './derivation';
import type { ViewLookup } from './document-projection';
import { PROVENANCE, type ProvenanceView } from './provenance.projection';

/** A custody or transformation step of a batch's history, where and when it happened. */
export interface ChainStep {
  readonly step: string;
  readonly batchId: string;
  readonly orgId: string;
  readonly facilityId: string;
  readonly occurredAt: string;
  /** When the ledger learnt of the step: a certificate must not have been suspended or revoked by then. */
  readonly recordedAt: string;
  /** Recorded more than 72 hours after it occurred (ADR 0017). */
  readonly late: boolean;
  readonly position: string;
}

export interface CertificationGap extends ChainStep {
  /**
   * Why no certificate of the scheme covered it: `NO_CERTIFICATE`, `SUSPENDED`, `REVOKED`, `EXPIRED`, …
   * (`SUSPENDED` and `REVOKED` also when the certificate was suspended or revoked before the step was recorded).
   */
  readonly reason: string;
  readonly certificateIds: readonly string[];
}

export interface CertificateSummary {
  readonly certificateId: string;
  readonly certifierOrgId: string;
  readonly subject: CertificateView['subject'];
  readonly level: string | null;
  readonly status: CertificateView['status'];
  readonly validFrom: string;
  readonly validUntil: string;
  readonly revokedAt: string | null;
  readonly history: CertificateView['history'];
}

export interface SchemeCertification {
  readonly scheme: string;
  /** Certificates whose subject is the batch itself. */
  readonly direct: readonly CertificateSummary[];
  /** Every certificate of the scheme that applies somewhere in the chain, as it stands now. */
  readonly certificates: readonly CertificateSummary[];
  /** Segregated claim: every step of the batch and all its ancestors was covered. */
  readonly chainCovered: boolean;
  /** Mass-balance claim: the fraction of the batch's mass tracing to covered origins along covered paths. */
  readonly certifiedShare: number;
  /**
   * The ISO 22095 chain-of-custody model a claim on the batch follows: `segregated` when every path to its
   * origins is covered (`chainCovered`, so all of its mass is certified, blended or not), otherwise
   * `mass_balance`, for `certifiedShare` of its mass.
   */
  readonly chainOfCustodyModel: ChainOfCustodyModel;
  readonly gaps: readonly CertificationGap[];
}

/** ISO 22095:2020 chain-of-custody models the ledger can name (of identity preserved, segregated, controlled
 * blending, mass balance, book and claim): every covered path, or a certified share. */
export type ChainOfCustodyModel = 'segregated' | 'mass_balance';

export interface CertificationView {
  readonly batchId: string;
  readonly schemes: readonly SchemeCertification[];
  /** The chain's steps recorded more than 72 hours after they occurred, covered or not (ADR 0017). */
  readonly lateSteps: readonly ChainStep[];
}

const STEP_TYPES = new Set([
  'BatchMined',
  'BatchProduced',
  'BatchSplitOff',
  'BlendProduced',
  'BatchShipped',
  'BatchReceived',
  'BatchExported',
]);
/** When no certificate covered a step, the most telling reason among those that might have. */
const REASON_ORDER: readonly CertificateStatusAt[] = ['suspended', 'revoked', 'expired', 'not_yet_valid'];

/** A batch as it stands in a chain: its whole history, or only up to the transformation that consumed it. */
interface ChainNode {
  readonly batchId: string;
  readonly steps: readonly ChainStep[];
  readonly parents: readonly { readonly node: ChainNode; readonly grams: number }[];
}

/**
 * The certification view, computed when asked from the batch's custody timeline, its ancestors' (through
 * provenance parents, each cut at the transformation that consumed it) and the certificates of the
 * facilities, organisations and batches met on the way: reads are bounded by the chain, not the ledger.
 */
export function certificationOf(batchId: string, lookup: ViewLookup): CertificationView | undefined {
  const root = chainNode(batchId, undefined, lookup, new Map());
  if (!root) return undefined;
  const nodes = allNodes(root);
  const certificates = chainCertificates(nodes, lookup);
  const schemes = [...new Set(certificates.map((certificate) => certificate.scheme))].sort();
  return {
    batchId,
    lateSteps: nodes.flatMap((node) => node.steps.filter((step) => step.late)),
    schemes: schemes.map((scheme) => {
      const ofScheme = certificates.filter((certificate) => certificate.scheme === scheme);
      const gaps = nodes.flatMap((node) =>
        node.steps.flatMap((step) => {
          const gap = gapOf(step, ofScheme);
          return gap ? [gap] : [];
        }),
      );
      return {
        scheme,
        direct: ofScheme.filter((c) => c.subject.type === 'batch' && c.subject.id === batchId).map(summary),
        certificates: ofScheme.map(summary),
        chainCovered: gaps.length === 0,
        certifiedShare: shareOf(root, ofScheme, new Map()),
        chainOfCustodyModel: gaps.length === 0 ? 'segregated' : 'mass_balance',
        gaps,
      };
    }),
  };
}

/** Every step of a batch's chain (its own, its ancestors' up to their consumption), as the view judges them. */
export function chainStepsOf(batchId: string, lookup: ViewLookup): ChainStep[] {
  const root = chainNode(batchId, undefined, lookup, new Map());
  return root ? allNodes(root).flatMap((node) => node.steps) : [];
}

function chainNode(
  batchId: string,
  consumedBy: string | undefined,
  lookup: ViewLookup,
  seen: Map<string, ChainNode>,
): ChainNode | undefined {
  const key = `${batchId}\n${consumedBy ?? ''}`;
  const known = seen.get(key);
  if (known) return known;
  const custody = lookup(BATCH_CUSTODY, batchId) as BatchCustodyView | undefined;
  if (!custody) return undefined;
  const provenance = lookup(PROVENANCE, batchId) as ProvenanceView | undefined;
  const steps = stepsOf(custody.timeline, consumedBy).map((entry) => toStep(batchId, entry));
  const parents: { node: ChainNode; grams: number }[] = [];
  const node: ChainNode = { batchId, steps, parents };
  seen.set(key, node);
  for (const parent of provenance?.parents ?? []) {
    const parentNode = chainNode(parent.batchId, parent.transformationId, lookup, seen);
    if (parentNode) parents.push({ node: parentNode, grams: Math.round(parent.consumedKg * 1000) });
  }
  return node;
}

/**
 * An ancestor's steps up to the refining, split or blend that fed the chain; what happened to it afterwards
 * is not ours.
 */
function stepsOf(timeline: readonly TimelineEntry[], consumedBy: string | undefined): TimelineEntry[] {
  const end =
    consumedBy === undefined
      ? timeline.length
      : timeline.findIndex((entry) => stepIdOfDetails(entry.type, entry.details) === consumedBy) + 1 ||
        timeline.length;
  // A voided event (a receipt recorded in error) is no step; a corrected one counts as corrected.
  return timeline.slice(0, end).filter((entry) => STEP_TYPES.has(entry.type) && !entry.voided);
}

function toStep(batchId: string, entry: TimelineEntry): ChainStep {
  const details = entry.details as Record<string, string>;
  const shipped = entry.type === 'BatchShipped';
  return {
    step: entry.type,
    batchId,
    orgId: (shipped ? details.fromOrgId : details.orgId) ?? '',
    facilityId: (shipped ? details.fromFacilityId : details.facilityId) ?? '',
    occurredAt: entry.occurredAt,
    recordedAt: entry.recordedAt,
    late: isLate(entry.occurredAt, entry.recordedAt),
    position: entry.position,
  };
}

function allNodes(root: ChainNode): ChainNode[] {
  const found = new Set<ChainNode>();
  const visit = (node: ChainNode) => {
    if (found.has(node)) return;
    found.add(node);
    node.parents.forEach((parent) => visit(parent.node));
  };
  visit(root);
  return [...found];
}

function chainCertificates(nodes: readonly ChainNode[], lookup: ViewLookup): CertificateView[] {
  const subjects = new Set<string>();
  for (const node of nodes) {
    subjects.add(subjectKey({ type: 'batch', id: node.batchId }));
    for (const step of node.steps) {
      // A step whose organisation or facility an audit bundle withholds (ADR 0022) names no subject.
      if (typeof step.orgId !== 'string') continue;
      subjects.add(subjectKey({ type: 'organisation', id: step.orgId }));
      if (typeof step.facilityId === 'string') {
        subjects.add(subjectKey({ type: 'facility', id: step.facilityId, orgId: step.orgId }));
      }
    }
  }
  const ids = new Set<string>();
  for (const key of subjects) {
    const index = lookup(CERTIFICATES_BY_SUBJECT, key) as CertificatesBySubjectView | undefined;
    index?.certificateIds.forEach((id) => ids.add(id));
  }
  return [...ids]
    .map((id) => lookup(CERTIFICATES, id) as CertificateView | undefined)
    .filter((certificate): certificate is CertificateView => certificate !== undefined);
}

const applies = (certificate: CertificateView, step: ChainStep): boolean =>
  (certificate.subject.type === 'batch' && certificate.subject.id === step.batchId) ||
  (certificate.subject.type === 'facility' &&
    certificate.subject.id === step.facilityId &&
    certificate.subject.orgId === step.orgId) ||
  (certificate.subject.type === 'organisation' && certificate.subject.id === step.orgId);

/**
 * A certificate covers a step when it was valid at the step's `occurredAt` and had not been suspended or
 * revoked by the time the step was recorded (ADR 0017): a step back-dated past a revocation stays a gap,
 * and a later revocation does not reach back over steps recorded before it.
 */
function statusFor(certificate: CertificateView, step: ChainStep): CertificateStatusAt {
  const then = certificateStatusAt(certificate, step.occurredAt);
  if (then !== 'valid') return then;
  return certificateStatusKnownAt(certificate, step.recordedAt, step.position);
}

function gapOf(step: ChainStep, certificates: readonly CertificateView[]): CertificationGap | undefined {
  const candidates = certificates.filter((certificate) => applies(certificate, step));
  const statuses = candidates.map((certificate) => statusFor(certificate, step));
  if (statuses.includes('valid')) return undefined;
  const reason = REASON_ORDER.find((status) => statuses.includes(status));
  return {
    ...step,
    reason: reason ? reason.toUpperCase() : 'NO_CERTIFICATE',
    certificateIds: candidates.map((certificate) => certificate.certificateId),
  };
}

/** Σ over inputs of (consumed share × input's certified share), zero wherever a step of the path was not covered. */
function shareOf(
  node: ChainNode,
  certificates: readonly CertificateView[],
  memo: Map<ChainNode, number>,
): number {
  const known = memo.get(node);
  if (known !== undefined) return known;
  let share = 0;
  if (node.steps.every((step) => !gapOf(step, certificates))) {
    if (node.parents.length === 0) share = 1;
    else {
      const total = node.parents.reduce((sum, parent) => sum + parent.grams, 0);
      share = node.parents.reduce(
        (sum, parent) => sum + (parent.grams / total) * shareOf(parent.node, certificates, memo),
        0,
      );
    }
  }
  memo.set(node, share);
  return share;
}

const summary = (certificate: CertificateView): CertificateSummary => ({
  certificateId: certificate.certificateId,
  certifierOrgId: certificate.certifierOrgId,
  subject: certificate.subject,
  level: certificate.level,
  status: certificate.status,
  validFrom: certificate.validFrom,
  validUntil: certificate.validUntil,
  revokedAt: certificate.revokedAt,
  history: certificate.history,
});
