import type { CustodyStatus } from '@tracelode/domain';
import { type BatchCustodyView, custodyFromEntries, type TimelineEntry } from '../batch-custody.projection';
import type { ProvenanceSummary } from '../batch-views';
import {
  type CertificateSummary,
  type CertificationView,
  type ChainStep,
  chainStepsOf,
} from '../certification';
import { NO_VIEWS, type ViewLookup } from '../document-projection';
import { TRANSFORMATIONS, type TransformationView } from '../transformations.projection';
import type { HoldImpactView } from '../holds';
import type { Descendant } from '../provenance.projection';
import type { ProvenanceGraphView } from '../provenance-graph';
import { facilityCountry } from '../provenance.projection';
import { type BatchAccess, inWindows, type Reader, readsEverything } from './access';
import { type PolicyEvent, type ReaderRelationships, withheldFor, withoutWithheld } from './withheld';

/**
 * The views of a batch as one reader may see them (docs/visibility.md). Each takes the view as every
 * reader would get it and what the reader may see of the batch (`access`) and of others (`relationships`,
 * at the same moment); a full reader gets the view unchanged.
 */

export interface VisibleCustodyView extends Omit<
  BatchCustodyView,
  'status' | 'custodyStatus' | 'custodian' | 'remainingMassKg'
> {
  /** `left_custody`: later custody is not the reader's to see; `undisclosed`: a downstream holder's view. */
  readonly status: BatchCustodyView['status'] | 'left_custody' | 'undisclosed';
  readonly custodyStatus: CustodyStatus | 'undisclosed';
  readonly custodian: BatchCustodyView['custodian'] | null;
  readonly remainingMassKg: number | null;
  /** How much of the batch the reader sees: all of it, its part (`partial`), or what its provenance needs. */
  readonly visibility: BatchAccess['kind'];
}

export function visibleCustody(
  view: BatchCustodyView,
  reader: Reader,
  access: BatchAccess,
  relationships: ReaderRelationships,
): VisibleCustodyView {
  if (access.kind === 'full') return { ...view, visibility: 'full' };
  if (access.kind === 'partial') {
    const entries = view.timeline.filter((entry) => inWindows(access.windows, entry.position));
    const seen = custodyFromEntries(view.batchId, entries) ?? view;
    const last = BigInt(entries.at(-1)?.position ?? '0');
    const movedOn = view.timeline.some((entry) => BigInt(entry.position) > last);
    return {
      ...seen,
      heldVia: view.heldVia,
      status: movedOn ? 'left_custody' : seen.status,
      visibility: 'partial',
    };
  }
  // A downstream holder: how the batch came into being, and the refinings that fed the reader's batches.
  const [origin, ...rest] = view.timeline;
  const feeding = rest.filter(
    (entry) =>
      entry.type === 'BatchRefined' &&
      ((entry.details.outputBatchIds as string[] | undefined) ?? []).some((id) => relationships.batch(id)),
  );
  const timeline = [origin, ...feeding]
    .filter((entry): entry is TimelineEntry => entry !== undefined)
    .map((entry) => visibleEntry(view.batchId, entry, reader, relationships));
  const maker = origin?.details as { orgId?: string; facilityId?: string } | undefined;
  return {
    ...view,
    status: 'undisclosed',
    custodyStatus: 'undisclosed',
    custodian: maker?.orgId && maker.facilityId ? { orgId: maker.orgId, facilityId: maker.facilityId } : null,
    remainingMassKg: null,
    openShipment: null,
    timeline,
    position: timeline.at(-1)?.position ?? view.position,
    visibility: 'upstream',
  };
}

/** A timeline entry without the details the reader may not see (the policy's paths under `data.`). */
function visibleEntry(
  batchId: string,
  entry: TimelineEntry,
  reader: Reader,
  relationships: ReaderRelationships,
): TimelineEntry {
  const event = { type: entry.type, position: entry.position, data: { ...entry.details, batchId } };
  const paths = withheldFor(reader, event, relationships).filter((path) => path.startsWith('data.'));
  if (paths.length === 0) return entry;
  const { batchId: _batchId, ...details } = withoutWithheld(event, paths).data;
  return { ...entry, details, actorOrgId: null };
}

/** A non-full reader sees the children it has some claim on (sibling outputs are not its business). */
export function visibleProvenance(
  view: ProvenanceSummary,
  access: BatchAccess,
  relationships: ReaderRelationships,
): ProvenanceSummary {
  if (access.kind === 'full') return view;
  return {
    ...view,
    children: view.children.filter(
      (child) => typeof child.batchId === 'string' && relationships.batch(child.batchId),
    ),
  };
}

/**
 * Descendants a reader may list: all of them for the auditor, the admin and a regulator that held the
 * batch; none for a downstream holder; otherwise those it may itself read beyond a downstream holder's
 * view (its own custody, its country's, what was disclosed to it or it certifies).
 */
export function listsDescendant(
  access: BatchAccess,
  relationships: ReaderRelationships,
  batchId: string,
): boolean {
  if (access.kind === 'full' && access.allDescendants) return true;
  if (access.kind === 'upstream') return false;
  const theirs = relationships.batch(batchId);
  return theirs !== undefined && theirs.kind !== 'upstream';
}

export function visibleDescendants<V extends { readonly descendants: readonly Descendant[] }>(
  view: V,
  access: BatchAccess,
  relationships: ReaderRelationships,
): V {
  if (access.kind === 'full' && access.allDescendants) return view;
  const descendants = view.descendants.filter((d) => listsDescendant(access, relationships, d.batchId));
  return { ...view, descendants };
}

/**
 * A provenance graph's sites as the reader may see them: a mine's and a transformation site's always
 * (as the certification view names them); the maker of a lot split off or blended (a custody party,
 * perhaps a trader) only to a full reader of that lot — otherwise its country alone. A full reader of the
 * lot sees its ancestors' makers; its descendants' only if it reads all of them (an engaged certifier or
 * licensing regulator does not), each otherwise judged by the reader's own access to it.
 */
export function visibleGraphSites(
  view: ProvenanceGraphView,
  access: BatchAccess,
  relationships: ReaderRelationships,
): ProvenanceGraphView {
  if (access.kind === 'full' && (view.direction === 'ancestors' || access.allDescendants)) return view;
  return {
    ...view,
    nodes: view.nodes.map((node) =>
      !node.site ||
      NAMED_STEPS.has(node.site.step) ||
      (node.batchId === view.batchId ? access : relationships.batch(node.batchId))?.kind === 'full'
        ? node
        : { ...node, site: { ...node.site, orgId: null, facilityId: null } },
    ),
  };
}

/**
 * A descendants graph as the reader may see it: the lot and the descendants it may list (as
 * `visibleDescendants`), and only the links between those, so a hidden batch shows neither as a node nor
 * as the end of a link.
 */
export function visibleDescendantGraph(
  view: ProvenanceGraphView,
  access: BatchAccess,
  relationships: ReaderRelationships,
): ProvenanceGraphView {
  if (access.kind === 'full' && access.allDescendants) return view;
  const kept = new Set(
    view.nodes
      .filter((node) => node.batchId === view.batchId || listsDescendant(access, relationships, node.batchId))
      .map((node) => node.batchId),
  );
  return {
    ...view,
    nodes: view.nodes.filter((node) => kept.has(node.batchId)),
    edges: view.edges.filter((edge) => kept.has(edge.from) && kept.has(edge.to)),
  };
}

/**
 * The recall list as the reader may see it: its descendants as above, each as the reader's own view of it
 * shows it (a lot it sold on is `left_custody`, whoever holds it now); the custodian only if it is its to
 * see. `custodyOf` is the reader's view of a descendant: the lot's status, custodian and mass left are
 * custody, which a listed descendant's own access decides, not the held lot's.
 */
export function visibleHoldImpact(
  view: HoldImpactView,
  custody: VisibleCustodyView,
  access: BatchAccess,
  relationships: ReaderRelationships,
  custodyOf: (batchId: string, access: BatchAccess) => VisibleCustodyView | undefined,
): HoldImpactView {
  const listed = visibleDescendants(view, access, relationships);
  const descendants =
    access.kind === 'full' && access.allDescendants
      ? listed.descendants
      : listed.descendants.map((descendant) => {
          const theirs = relationships.batch(descendant.batchId);
          if (!theirs || theirs.kind === 'full') return descendant;
          const seen = custodyOf(descendant.batchId, theirs);
          return {
            ...descendant,
            status: seen?.status ?? null,
            custodian: seen && isCurrent(seen) ? seen.custodian : null,
            remainingMassKg: seen && isCurrent(seen) ? seen.remainingMassKg : null,
          };
        });
  if (access.kind === 'full') return { ...listed, descendants };
  return {
    ...listed,
    descendants,
    custodian: isCurrent(custody) && custody.custodian ? custody.custodian : hiddenCustodian,
  };
}

/** Whether a reader's view of a lot shows where it is now (not after it left the reader's custody). */
const isCurrent = (custody: VisibleCustodyView): boolean =>
  custody.status !== 'left_custody' && custody.status !== 'undisclosed';

const hiddenCustodian = null as unknown as HoldImpactView['custodian'];

/** A chain step whose parties the reader may not know: its organisation and facility left out, its country kept. */
export interface HiddenStep extends Omit<ChainStep, 'orgId' | 'facilityId'> {
  readonly orgId: null;
  readonly facilityId: null;
  readonly country: string | null;
}

const NAMED_STEPS = new Set(['BatchMined', 'BatchProduced']);

/**
 * Certification as a non-full reader sees it: every step's coverage and the scheme's claims as they are,
 * but a custody-only step (shipped, received, exported) of a batch it may not see there shows only its
 * facility's country, and a certificate of a party known only from such steps hides whose it is.
 */
export function visibleCertification(
  view: CertificationView,
  access: BatchAccess,
  relationships: ReaderRelationships,
  lookup: ViewLookup,
): CertificationView {
  if (access.kind === 'full') return view;
  const shown = (step: ChainStep): boolean => {
    if (NAMED_STEPS.has(step.step)) return true;
    const theirs = step.batchId === view.batchId ? access : relationships.batch(step.batchId);
    return (
      theirs?.kind === 'full' || (theirs?.kind === 'partial' && inWindows(theirs.windows, step.position))
    );
  };
  // Organisations the reader may know: those of the steps it may see in the whole chain, covered or not.
  const named = new Set<string>(
    chainStepsOf(view.batchId, lookup)
      .filter(shown)
      .map((step) => step.orgId),
  );
  const hide = <S extends ChainStep>(step: S): S =>
    shown(step)
      ? step
      : {
          ...step,
          orgId: null,
          facilityId: null,
          country: facilityCountry(lookup, step.orgId, step.facilityId),
          ...('certificateIds' in step ? { certificateIds: [] } : {}),
        };
  const anonymous = (certificate: CertificateSummary): CertificateSummary => {
    const subject = certificate.subject;
    const owner =
      subject.type === 'organisation' ? subject.id : subject.type === 'facility' ? subject.orgId : undefined;
    if (owner === undefined || named.has(owner) || relationships.identified(owner)) return certificate;
    return {
      ...certificate,
      certificateId: null,
      subject: { type: subject.type, id: null },
    } as unknown as CertificateSummary;
  };
  return {
    ...view,
    lateSteps: view.lateSteps.map(hide),
    schemes: view.schemes.map((scheme) => ({
      ...scheme,
      gaps: scheme.gaps.map(hide),
      certificates: scheme.certificates.map(anonymous),
    })),
  };
}

/**
 * A batch's events as the reader may see them, each with the paths withheld from it: every event for a
 * full reader (but disclosures only to their parties, auditors and the admin); the events in its windows
 * for a partial one; how the batch came into being and the refinings that fed its batches for a downstream
 * holder. A disclosure is shown to its granter and grantee wherever it falls.
 */
export function visibleEvents<E extends PolicyEvent>(
  events: readonly E[],
  reader: Reader,
  access: BatchAccess,
  relationships: ReaderRelationships,
  lookup: ViewLookup = NO_VIEWS,
): { event: E; withheld: string[] }[] {
  // A refining's outputs: listed on a schema-1 event, in its transformation's declaration since (ADR 0021).
  const outputsOf = (event: E): string[] =>
    Array.isArray(event.data.outputBatchIds)
      ? (event.data.outputBatchIds as string[])
      : (
          (lookup(TRANSFORMATIONS, String(event.data.transformationId)) as TransformationView | undefined)
            ?.outputs ?? []
        ).map((output) => output.batchId);
  const party = (event: E) => event.data.byOrgId === reader.orgId || event.data.toOrgId === reader.orgId;
  const shown = events.filter((event, index) => {
    if (DISCLOSURE_EVENTS.has(event.type)) return readsEverything(reader) || party(event);
    if (access.kind === 'full') return true;
    if (access.kind === 'partial') return inWindows(access.windows, event.position);
    return (
      index === 0 || (event.type === 'BatchRefined' && outputsOf(event).some((id) => relationships.batch(id)))
    );
  });
  return shown.map((event) => {
    const withheld = withheldFor(reader, event, relationships);
    return { event: withoutWithheld(event, withheld), withheld };
  });
}

const DISCLOSURE_EVENTS = new Set(['DisclosureGranted', 'DisclosureRevoked']);
