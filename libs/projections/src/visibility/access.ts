import { certificateSubjectKey } from '@tracelode/domain';
import type { ViewLookup } from '../document-projection';
import { ORGANISATIONS, type OrganisationView } from '../organisations.projection';
import {
  CERTIFIER_ENGAGEMENTS,
  type CertifierEngagementView,
  engagementKey,
} from './certifier-engagements.projection';
import {
  BATCH_RELATIONSHIPS,
  type BatchRelationships,
  type CustodySegment,
  type DisclosureRecord,
} from './relationships.projection';

/** Who reads: the organisation behind the API key (or the operator), with its roles. */
export interface Reader {
  readonly orgId: string;
  readonly roles: readonly string[];
}

/**
 * Which state of the ledger a read is of: the log position (none: as it is now) and the instant a
 * disclosure's `until` is judged against (ms since the epoch).
 */
export interface ReadMoment {
  readonly position?: bigint;
  readonly at: number;
}

/** A run of log positions a reader may see events of: `through: null` runs to the end. */
export interface Window {
  readonly from: bigint;
  readonly through: bigint | null;
}

/** Why a reader may read a batch: the relationships docs/visibility.md lists. */
export type Relationship =
  | 'admin'
  | 'auditor'
  | 'competent_regulator'
  | 'engaged_certifier'
  | 'participant'
  | 'disclosed'
  | 'downstream_holder';

/**
 * What a reader may see of one batch (at one moment):
 * - `full`: every event and view; `allDescendants` when the whole downstream impact is its too (the
 *   auditor, the admin, a regulator that held the batch);
 * - `partial`: the events in `windows` (its own custody up to the end of its last segment, and what was
 *   disclosed to it) and the views, upstream steps as a downstream holder sees them;
 * - `upstream`: a downstream holder's: what the provenance of its own batches needs.
 */
export type BatchAccess =
  | { readonly kind: 'full'; readonly allDescendants: boolean; readonly why: Relationship }
  | { readonly kind: 'partial'; readonly windows: readonly Window[]; readonly why: readonly Relationship[] }
  | { readonly kind: 'upstream'; readonly why: 'downstream_holder' };

const FULL_READERS: readonly ('admin' | 'auditor')[] = ['admin', 'auditor'];

/** Whether a reader reads everything, whatever the batch: the operator and auditors. */
export const readsEverything = (reader: Reader): boolean =>
  FULL_READERS.some((role) => reader.roles.includes(role));

/**
 * What `reader` may see of batch `batchId` at `moment`, from the batch's relationships document (one
 * lookup) and, for a certifier, its engagements on the batch's subjects (one lookup each); undefined when
 * it may see nothing — then the batch does not exist, as far as it can tell.
 */
export function accessTo(
  reader: Reader,
  batchId: string,
  lookup: ViewLookup,
  moment: ReadMoment,
): BatchAccess | undefined {
  const everything = FULL_READERS.find((role) => reader.roles.includes(role));
  if (everything) return { kind: 'full', allDescendants: true, why: everything };
  const relationships = lookup(BATCH_RELATIONSHIPS, batchId) as BatchRelationships | undefined;
  if (!relationships) return undefined;
  const by = (position: string | undefined | null): boolean =>
    position !== undefined &&
    position !== null &&
    (moment.position === undefined || BigInt(position) <= moment.position);
  const { orgId } = reader;

  if (reader.roles.includes('regulator')) {
    if (by(relationships.holders[orgId]))
      return { kind: 'full', allDescendants: true, why: 'competent_regulator' };
    const country = (lookup(ORGANISATIONS, orgId) as OrganisationView | undefined)?.country;
    if (by(relationships.licensors[orgId]) || (country !== undefined && by(relationships.countries[country])))
      return { kind: 'full', allDescendants: false, why: 'competent_regulator' };
  }
  if (reader.roles.includes('certifier') && certifiedAny(orgId, relationships, lookup, by)) {
    return { kind: 'full', allDescendants: false, why: 'engaged_certifier' };
  }

  const windows: Window[] = [];
  const why: Relationship[] = [];
  const own = segmentsBy(relationships.participants[orgId], by);
  if (own.length > 0) {
    windows.push({ from: 0n, through: own.at(-1)!.through });
    why.push('participant');
  }
  for (const disclosure of Object.values(relationships.disclosures)) {
    if (disclosure.toOrgId !== orgId || !inForce(disclosure, by, moment)) continue;
    windows.push(...disclosed(disclosure, relationships, by));
    why.push('disclosed');
  }
  if (windows.length > 0) return { kind: 'partial', windows, why: [...new Set(why)] };
  if (by(relationships.downstream[orgId])) return { kind: 'upstream', why: 'downstream_holder' };
  return undefined;
}

/** Whether an event at `position` falls in one of the windows. */
export function inWindows(windows: readonly Window[], position: bigint | string): boolean {
  const at = BigInt(position);
  return windows.some((window) => at >= window.from && (window.through === null || at <= window.through));
}

/** A disclosure counts from its position, until its revocation's, and while the moment is before `until`. */
function inForce(
  disclosure: DisclosureRecord,
  by: (position: string | null) => boolean,
  moment: ReadMoment,
): boolean {
  return (
    by(disclosure.from) &&
    !by(disclosure.revokedAt) &&
    (disclosure.until === null || moment.at < Date.parse(disclosure.until))
  );
}

/**
 * The granter's part as it had it when it disclosed (segments it had acquired by then): its segments'
 * events, or everything up to the end of its last one (`history`).
 */
function disclosed(
  disclosure: DisclosureRecord,
  relationships: BatchRelationships,
  by: (position: string | null) => boolean,
): Window[] {
  const granted = BigInt(disclosure.from);
  const segments = segmentsBy(relationships.participants[disclosure.byOrgId], by).filter(
    (segment) => segment.from <= granted,
  );
  if (segments.length === 0) return [];
  if (disclosure.scope === 'history') return [{ from: 0n, through: segments.at(-1)!.through }];
  return segments;
}

/** Segments begun by the moment, a segment ended after it still open then. */
function segmentsBy(
  segments: readonly CustodySegment[] | undefined,
  by: (position: string | null) => boolean,
): Window[] {
  return (segments ?? [])
    .filter((segment) => by(segment.from))
    .map((segment) => ({
      from: BigInt(segment.from),
      through: segment.through !== null && by(segment.through) ? BigInt(segment.through) : null,
    }));
}

/**
 * A certifier is engaged on a batch by a certificate of its own (not revoked by the moment) whose subject
 * is the batch, a facility where the batch was, or an organisation that held it.
 */
function certifiedAny(
  certifierOrgId: string,
  relationships: BatchRelationships,
  lookup: ViewLookup,
  by: (position: string | null) => boolean,
): boolean {
  const subjects = [
    certificateSubjectKey({ type: 'batch', id: relationships.batchId }),
    ...Object.entries(relationships.facilities)
      .filter(([, position]) => by(position))
      .map(([key]) => `facility:${key}`),
    ...Object.entries(relationships.participants)
      .filter(([, segments]) => segments.some((segment) => by(segment.from)))
      .map(([orgId]) => certificateSubjectKey({ type: 'organisation', id: orgId })),
  ];
  return subjects.some((subject) => {
    const engagement = lookup(CERTIFIER_ENGAGEMENTS, engagementKey(certifierOrgId, subject)) as
      CertifierEngagementView | undefined;
    return Object.values(engagement?.certificates ?? {}).some(
      (certificate) => by(certificate.from) && !by(certificate.revokedAt),
    );
  });
}
