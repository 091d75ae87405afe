import type { CertificateStatus } from '../certificate/certificate.state';
import { type CertificateSubject, certificateSubjectKey } from '../certificate/certificate.events';
import type { EngagementEvent } from './engagement.events';

/** The id of a certifier's engagement stream for a subject (`{certifierOrgId}_{subjectKey}`). */
export const engagementIdOf = (certifierOrgId: string, subject: CertificateSubject): string =>
  `${certifierOrgId}_${certificateSubjectKey(subject)}`;

export interface EngagementCertificate {
  readonly certificateId: string;
  readonly validFrom: string;
  readonly validUntil: string;
  readonly status: CertificateStatus;
}

/** One certifier's certificates for one subject, by id. */
export interface EngagementState {
  readonly certificates: ReadonlyMap<string, EngagementCertificate>;
}

export const initialEngagementState = (): EngagementState => ({ certificates: new Map() });

export function evolveEngagement(state: EngagementState, event: EngagementEvent): EngagementState {
  switch (event.type) {
    case 'CertifierEngaged': {
      const { certificateId, validFrom, validUntil } = event.data;
      const certificate = { certificateId, validFrom, validUntil, status: 'valid' as const };
      return { certificates: new Map(state.certificates).set(certificateId, certificate) };
    }
    case 'CertifierEngagementChanged': {
      const certificate = state.certificates.get(event.data.certificateId);
      if (!certificate) return state;
      const changed = { ...certificate, status: event.data.status };
      return { certificates: new Map(state.certificates).set(certificate.certificateId, changed) };
    }
    default: {
      const unknown: never = event;
      return unknown;
    }
  }
}

/** Its certificates that are valid (neither suspended nor revoked) and cover the moment `at`. */
export function certificatesInForce(state: EngagementState, at: string): EngagementCertificate[] {
  const moment = Date.parse(at);
  return [...state.certificates.values()].filter(
    (certificate) =>
      certificate.status === 'valid' &&
      Date.parse(certificate.validFrom) <= moment &&
      moment <= Date.parse(certificate.validUntil),
  );
}

/** Its certificates that still count: not revoked, and not expired at `at`. */
export function certificatesNotExpired(state: EngagementState, at: string): EngagementCertificate[] {
  const moment = Date.parse(at);
  return [...state.certificates.values()].filter(
    (certificate) => certificate.status !== 'revoked' && moment <= Date.parse(certificate.validUntil),
  );
}
