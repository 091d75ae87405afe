import { certificateSubjectKey } from '@tracelode/domain';
import { CERTIFICATES, type CertificateView } from '../certificates.projection';
import type { DocumentProjection } from '../document-projection';

/**
 * One certifier's certificates for one subject (a batch, a facility, an organisation), each with the log
 * position it was issued at and, once revoked, the position of the revocation: what a read as of any
 * position needs to tell whether the certifier was engaged then (docs/visibility.md).
 */
export interface CertifierEngagementView {
  readonly certificates: Readonly<
    Record<string, { readonly from: string; readonly revokedAt: string | null }>
  >;
}

export const CERTIFIER_ENGAGEMENTS = 'certifier_engagements';

/** The key of a certifier's engagement on a subject key (`facility:mineco/mt-weld`, `batch:b1`, …). */
export const engagementKey = (certifierOrgId: string, subjectKey: string): string =>
  `${certifierOrgId}_${subjectKey}`;

/**
 * Kept from the certificates themselves (not the engagement streams, which certificates issued before them
 * lack): an issue names its subject; a revocation finds it in the certificates view.
 */
export const certifierEngagementsProjection: DocumentProjection<CertifierEngagementView> = {
  collection: CERTIFIER_ENGAGEMENTS,
  keyOf: (event) =>
    event.type === 'CertificateIssued'
      ? engagementKey(event.data.certifierOrgId, certificateSubjectKey(event.data.subject))
      : undefined,
  evolve(view, event, stored) {
    if (event.type !== 'CertificateIssued') throw new Error(`${event.type} cannot engage a certifier`);
    const issued = { from: stored.position.toString(), revokedAt: null };
    return { certificates: { ...view?.certificates, [event.data.certificateId]: issued } };
  },
  alsoChanges(event, lookup, stored) {
    if (event.type !== 'CertificateRevoked') return [];
    const certificate = lookup(CERTIFICATES, event.data.certificateId) as CertificateView | undefined;
    if (!certificate) return [];
    const key = engagementKey(certificate.certifierOrgId, certificateSubjectKey(certificate.subject));
    const { certificateId } = event.data;
    return [
      [
        key,
        (view: CertifierEngagementView | undefined): CertifierEngagementView => {
          const known = view?.certificates[certificateId];
          if (!view || !known) return view ?? { certificates: {} };
          const revoked = { ...known, revokedAt: known.revokedAt ?? stored.position.toString() };
          return { certificates: { ...view.certificates, [certificateId]: revoked } };
        },
      ],
    ];
  },
};
