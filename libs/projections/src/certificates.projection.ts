import { type CertificateSubject, certificateSubjectKey, type LedgerEvent } from '@tracelode/domain';
import type { DocumentProjection } from './document-projection';
import { recordedAtOf } from './recorded-at';

export interface CertificateHistoryEntry {
  readonly type: string;
  readonly occurredAt: string;
  readonly recordedAt: string;
  readonly reason: string | null;
  readonly position: string;
}

/** One certificate and its lifecycle: what it covers, for when, and every change, with when it happened. */
export interface CertificateView {
  readonly certificateId: string;
  readonly certifierOrgId: string;
  readonly scheme: string;
  readonly level: string | null;
  readonly subject: CertificateSubject;
  readonly validFrom: string;
  readonly validUntil: string;
  readonly evidence: { readonly sha256: string; readonly uri: string };
  readonly status: 'valid' | 'suspended' | 'revoked';
  readonly issuedAt: string;
  readonly revokedAt: string | null;
  readonly history: readonly CertificateHistoryEntry[];
  readonly position: string;
}

export const CERTIFICATES = 'certificates';
/** Certificate ids by subject (`facility:kuantan`), so a chain's certificates are found without a scan. */
export const CERTIFICATES_BY_SUBJECT = 'certificates_by_subject';

export interface CertificatesBySubjectView {
  readonly subject: CertificateSubject;
  readonly certificateIds: readonly string[];
}

/** Index keys of certificate subjects (see certificateSubjectKey in the domain). */
export const subjectKey = (subject: CertificateSubject): string => certificateSubjectKey(subject);

const CERTIFICATE_EVENTS = new Set<string>([
  'CertificateIssued',
  'CertificateSuspended',
  'CertificateReinstated',
  'CertificateRevoked',
]);

export const certificatesProjection: DocumentProjection<CertificateView> = {
  collection: CERTIFICATES,
  keyOf: (event) =>
    CERTIFICATE_EVENTS.has(event.type) ? (event.data as { certificateId: string }).certificateId : undefined,
  evolve(view, event, stored) {
    const position = stored.position.toString();
    const next = apply(view, event, position);
    const { occurredAt, reason } = event.data as { occurredAt: string; reason?: string };
    const entry = {
      type: event.type,
      occurredAt,
      recordedAt: recordedAtOf(stored),
      reason: reason ?? null,
      position,
    };
    return { ...next, history: [...next.history, entry], position };
  },
};

function apply(view: CertificateView | undefined, event: LedgerEvent, position: string): CertificateView {
  if (event.type === 'CertificateIssued') {
    const { occurredAt, level, ...issued } = event.data;
    return {
      ...issued,
      level: level ?? null,
      status: 'valid',
      issuedAt: occurredAt,
      revokedAt: null,
      history: [],
      position,
    };
  }
  if (!view) throw new Error(`${event.type} for a certificate that was never issued`);
  switch (event.type) {
    case 'CertificateSuspended':
      return { ...view, status: 'suspended' };
    case 'CertificateReinstated':
      return { ...view, status: 'valid' };
    case 'CertificateRevoked':
      return { ...view, status: 'revoked', revokedAt: event.data.occurredAt };
    default:
      return view;
  }
}

export const certificatesBySubjectProjection: DocumentProjection<CertificatesBySubjectView> = {
  collection: CERTIFICATES_BY_SUBJECT,
  keyOf: (event) => (event.type === 'CertificateIssued' ? subjectKey(event.data.subject) : undefined),
  evolve(view, event) {
    if (event.type !== 'CertificateIssued') throw new Error(`${event.type} cannot change a subject index`);
    return {
      subject: event.data.subject,
      certificateIds: [...(view?.certificateIds ?? []), event.data.certificateId],
    };
  },
};

export type CertificateStatusAt = 'valid' | 'suspended' | 'revoked' | 'expired' | 'not_yet_valid';

/**
 * What a certificate was at a moment, from its own history: a later suspension or revocation does not
 * reach back before its `occurredAt`, so history already covered stays covered.
 */
export function certificateStatusAt(certificate: CertificateView, at: string): CertificateStatusAt {
  const moment = Date.parse(at);
  if (moment < Date.parse(certificate.validFrom)) return 'not_yet_valid';
  if (moment > Date.parse(certificate.validUntil)) return 'expired';
  let status: CertificateStatusAt = 'valid';
  for (const entry of certificate.history) {
    if (Date.parse(entry.occurredAt) > moment) break;
    if (entry.type === 'CertificateSuspended') status = 'suspended';
    else if (entry.type === 'CertificateReinstated') status = 'valid';
    else if (entry.type === 'CertificateRevoked') status = 'revoked';
  }
  return status;
}

/**
 * What a certificate was as far as the ledger knew when something was recorded (`recordedAt`, at log
 * `position`): its changes recorded before then, whatever their `occurredAt`. A step recorded after a
 * suspension or revocation cannot be covered by back-dating it (ADR 0017).
 */
export function certificateStatusKnownAt(
  certificate: CertificateView,
  recordedAt: string,
  position: string,
): 'valid' | 'suspended' | 'revoked' {
  const moment = Date.parse(recordedAt);
  let status: 'valid' | 'suspended' | 'revoked' = 'valid';
  for (const entry of certificate.history) {
    const at = Date.parse(entry.recordedAt);
    const before = at < moment || (at === moment && BigInt(entry.position) < BigInt(position));
    if (!before) continue;
    if (entry.type === 'CertificateSuspended') status = 'suspended';
    else if (entry.type === 'CertificateReinstated') status = 'valid';
    else if (entry.type === 'CertificateRevoked') status = 'revoked';
  }
  return status;
}
