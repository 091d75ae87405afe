import { deciderSpec } from '@tracelode/testing';
import {
  type CertificateContext,
  decideCertificate,
  evolveCertificate,
  initialCertificateState,
} from './certificate.decider';
import type { CertificateEvent, CertificateIssued } from './certificate.events';

const spec = deciderSpec({
  decide: decideCertificate,
  evolve: evolveCertificate,
  initialState: initialCertificateState,
});
const as = (orgId: string, role: 'certifier' | 'producer' = 'certifier'): CertificateContext => ({
  actor: { orgId, keyId: `${orgId}-key`, roles: [role] },
  recordedAt: '2026-06-01T00:00:00Z',
});
const irma = as('irma-audit');

const issue = {
  type: 'IssueCertificate' as const,
  data: {
    certificateId: 'C1',
    scheme: 'IRMA',
    subject: { type: 'facility' as const, id: 'kuantan', orgId: 'refco' },
    validFrom: '2026-01-01T00:00:00Z',
    validUntil: '2027-01-01T00:00:00Z',
    evidence: { sha256: 'a'.repeat(64), uri: 'https://x.example/r.pdf' },
    occurredAt: '2026-01-01T00:00:00Z',
  },
};
const issued: CertificateIssued = {
  type: 'CertificateIssued',
  data: { ...issue.data, certifierOrgId: 'irma-audit' },
};
const change = { certificateId: 'C1', reason: 'finding', occurredAt: '2026-03-10T00:00:00Z' };
const changed = (type: 'CertificateSuspended' | 'CertificateRevoked'): CertificateEvent => ({
  type,
  data: { ...change, certifierOrgId: 'irma-audit' },
});

describe('certificate decider', () => {
  it('lets a certifier issue a certificate', () => spec([]).when(issue, irma).then([issued]));
  it('refuses a producer', () => spec([]).when(issue, as('mineco', 'producer')).thenRefuses('ROLE_REQUIRED'));
  it('refuses a facility subject that does not name its organisation', () =>
    spec([])
      .when(
        { ...issue, data: { ...issue.data, subject: { type: 'facility' as const, id: 'kuantan' } } },
        irma,
      )
      .thenRefuses('FACILITY_SUBJECT_NEEDS_ORGANISATION'));
  it('refuses a certificate id that exists', () =>
    spec([issued]).when(issue, irma).thenRefuses('CERTIFICATE_ALREADY_EXISTS'));
  it('lets the issuing certifier suspend it', () =>
    spec([issued])
      .when({ type: 'SuspendCertificate', data: change }, irma)
      .then([changed('CertificateSuspended')]));
  it('refuses any other certifier', () =>
    spec([issued])
      .when({ type: 'SuspendCertificate', data: change }, as('rmi-audit'))
      .thenRefuses('NOT_ISSUING_CERTIFIER'));
  it('refuses reinstating a certificate that is not suspended', () =>
    spec([issued])
      .when({ type: 'ReinstateCertificate', data: change }, irma)
      .thenRefuses('CERTIFICATE_NOT_SUSPENDED'));
  it('treats revocation as final', () =>
    spec([issued, changed('CertificateRevoked')])
      .when({ type: 'SuspendCertificate', data: change }, irma)
      .thenRefuses('CERTIFICATE_REVOKED'));
  it('refuses changing an unknown certificate', () =>
    spec([]).when({ type: 'RevokeCertificate', data: change }, irma).thenRefuses('CERTIFICATE_NOT_FOUND'));
});
