import type { CertificateStatus } from '../certificate/certificate.state';
import type { CertificateSubject } from '../certificate/certificate.events';

/**
 * The index of what a certifier is engaged on: `engagement-{certifierOrgId}_{subjectKey}` holds one event
 * per certificate the certifier issued for the subject, appended with the `CertificateIssued` itself, and
 * each later status change of it. A decision loads it by certifier and subject (certificates are keyed by
 * id), to see whether the certifier is engaged, and how many valid certificates it has for the subject.
 */
export type CertifierEngaged = {
  type: 'CertifierEngaged';
  data: {
    certifierOrgId: string;
    subject: CertificateSubject;
    certificateId: string;
    validFrom: string;
    validUntil: string;
  };
};
export type CertifierEngagementChanged = {
  type: 'CertifierEngagementChanged';
  data: {
    certifierOrgId: string;
    certificateId: string;
    status: CertificateStatus;
    /** When the change happened, as its certificate event says (absent on changes recorded before 2026-12-01). */
    occurredAt?: string;
  };
};

export type EngagementEvent = CertifierEngaged | CertifierEngagementChanged;
