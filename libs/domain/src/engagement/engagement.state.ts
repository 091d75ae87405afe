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
  /**
   * When it was suspended, by `occurredAt`: each from its suspension to its reinstatement (`to` absent
   * while suspended). A reinstated certificate did not cover its suspension: an assay cannot be dated
   * into one. Changes recorded before their time was kept here (2026-12-01) add none.
   */
  readonly suspensions: readonly { readonly from: string; readonly to?: string }[];
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
      const certificate = { certificateId, validFrom, validUntil, status: 'valid' as const, suspensions: [] };
      return { certificates: new Map(state.certificates).set(certificateId, certificate) };
    }
    case 'CertifierEngagementChanged': {
      const certificate = state.certificates.get(event.data.certificateId);
      if (!certificate) return state;
      const { status, occurredAt } = event.data;
      const changed = {
        ...certificate,
        status,
        suspensions: suspensionsAfter(certificate, status, occurredAt),
      };
      return { certificates: new Map(state.certificates).set(certificate.certificateId, changed) };
    }
    default: {
      const unknown: never = event;
      return unknown;
    }
  }
}

/** The suspension periods after a change of status at `occurredAt`. */
function suspensionsAfter(
  certificate: EngagementCertificate,
  status: CertificateStatus,
  occurredAt: string | undefined,
): EngagementCertificate['suspensions'] {
  const periods = certificate.suspensions ?? [];
  if (occurredAt === undefined) return periods;
  if (status === 'suspended') return [...periods, { from: occurredAt }];
  const last = periods.at(-1);
  if (status === 'valid' && last && last.to === undefined) {
    return [...periods.slice(0, -1), { from: last.from, to: occurredAt }];
  }
  return periods;
}

/**
 * Its certificates that are valid now (neither suspended nor revoked) and covered the moment `at`: within
 * their validity, and not in a suspension since reinstated.
 */
export function certificatesInForce(state: EngagementState, at: string): EngagementCertificate[] {
  const moment = Date.parse(at);
  return [...state.certificates.values()].filter(
    (certificate) =>
      certificate.status === 'valid' &&
      Date.parse(certificate.validFrom) <= moment &&
      moment <= Date.parse(certificate.validUntil) &&
      !(certificate.suspensions ?? []).some(
        ({ from, to }) => Date.parse(from) <= moment && (to === undefined || moment < Date.parse(to)),
      ),
  );
}

/** Its certificates that still count: not revoked, and not expired at `at`. */
export function certificatesNotExpired(state: EngagementState, at: string): EngagementCertificate[] {
  const moment = Date.parse(at);
  return [...state.certificates.values()].filter(
    (certificate) => certificate.status !== 'revoked' && moment <= Date.parse(certificate.validUntil),
  );
}
