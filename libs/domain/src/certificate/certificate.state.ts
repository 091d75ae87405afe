import type { CertificateEvent, CertificateSubject } from './certificate.events';

export type CertificateStatus = 'valid' | 'suspended' | 'revoked';

export type CertificateState =
  | { readonly exists: false }
  | {
      readonly exists: true;
      readonly certificateId: string;
      readonly certifierOrgId: string;
      readonly subject: CertificateSubject;
      readonly status: CertificateStatus;
      readonly lastChangeAt: string;
    };

export const initialCertificateState = (): CertificateState => ({ exists: false });

export function evolveCertificate(state: CertificateState, event: CertificateEvent): CertificateState {
  switch (event.type) {
    case 'CertificateIssued': {
      const { certificateId, certifierOrgId, subject, occurredAt } = event.data;
      return {
        exists: true,
        certificateId,
        certifierOrgId,
        subject,
        status: 'valid',
        lastChangeAt: occurredAt,
      };
    }
    case 'CertificateSuspended':
      return state.exists ? { ...state, status: 'suspended', lastChangeAt: event.data.occurredAt } : state;
    case 'CertificateReinstated':
      return state.exists ? { ...state, status: 'valid', lastChangeAt: event.data.occurredAt } : state;
    case 'CertificateRevoked':
      return state.exists ? { ...state, status: 'revoked', lastChangeAt: event.data.occurredAt } : state;
    default: {
      const unknown: never = event;
      return unknown;
    }
  }
}
