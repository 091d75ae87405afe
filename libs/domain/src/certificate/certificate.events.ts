export const CERTIFICATE_SUBJECT_TYPES = ['batch', 'facility', 'organisation'] as const;
export type CertificateSubjectType = (typeof CERTIFICATE_SUBJECT_TYPES)[number];

/**
 * What a certificate is about: one batch, one facility or a whole organisation. Facility ids are unique
 * only within an organisation, so a facility subject names its organisation too (`orgId`).
 */
export interface CertificateSubject {
  readonly type: CertificateSubjectType;
  readonly id: string;
  readonly orgId?: string;
}

/** The key a subject is indexed and matched by: `facility:<orgId>/<facilityId>`, `batch:<id>`, `organisation:<id>`. */
export const certificateSubjectKey = (subject: CertificateSubject): string =>
  subject.type === 'facility'
    ? `facility:${subject.orgId ?? ''}/${subject.id}`
    : `${subject.type}:${subject.id}`;

export type CertificateIssued = {
  type: 'CertificateIssued';
  data: {
    certificateId: string;
    certifierOrgId: string;
    /** `IRMA`, `RMI-RMAP`, `TSM`, `ISO14001`, `CARBON-VERIFIED`, … */
    scheme: string;
    level?: string;
    subject: CertificateSubject;
    validFrom: string;
    validUntil: string;
    evidence: { sha256: string; uri: string };
    occurredAt: string;
  };
};
type CertificateStatusChange<Type extends string> = {
  type: Type;
  data: { certificateId: string; certifierOrgId: string; reason: string; occurredAt: string };
};
export type CertificateSuspended = CertificateStatusChange<'CertificateSuspended'>;
export type CertificateReinstated = CertificateStatusChange<'CertificateReinstated'>;
export type CertificateRevoked = CertificateStatusChange<'CertificateRevoked'>;

export type CertificateEvent =
  CertificateIssued | CertificateSuspended | CertificateReinstated | CertificateRevoked;
