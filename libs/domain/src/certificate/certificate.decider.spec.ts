import { BACKFILL, refusal } from '../spec-support';
import { type Decider, InMemoryStreams } from '../decider';
import type { Actor } from '../shared/actor';
import type { RefusalCode } from '../shared/domain-error';
import {
  issueCertificate,
  reinstateCertificate,
  revokeCertificate,
  suspendCertificate,
} from './certificate.decider';
import type { CertificateEvent, CertificateIssued } from './certificate.events';
import type { EngagementEvent } from '../engagement/engagement.events';
import { engagementIdOf } from '../engagement/engagement.state';
import { MAX_CERTIFICATES_PER_SUBJECT } from '../rules';

const as = (orgId: string, role: 'certifier' | 'producer' = 'certifier'): Actor => ({
  orgId,
  keyId: `${orgId}-key`,
  roles: [role],
});

/** Given C1's events, when a command, then exactly these events on C1, or a refusal. */
const spec = (given: readonly CertificateEvent[]) => ({
  when: <Command>(decider: Decider<Command>, command: Command, actor: Actor) => {
    const run = () =>
      new InMemoryStreams().given('certificates', 'C1', ...given).decide(decider, {
        ...command,
        metadata: { actor, recordedAt: '2026-06-01T00:00:00Z', policy: BACKFILL },
      });
    return {
      then: (events: readonly CertificateEvent[]) =>
        expect(run()).toEqual([{ stream: 'certificate-C1', events }]),
      thenRefuses: (code: RefusalCode) => expect(refusal(run).code).toBe(code),
    };
  },
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

describe('certificate deciders', () => {
  const engagementId = engagementIdOf('irma-audit', issue.data.subject);
  const engaged = (certificateId: string, validUntil = '2027-01-01T00:00:00Z'): EngagementEvent => ({
    type: 'CertifierEngaged',
    data: {
      certifierOrgId: 'irma-audit',
      subject: issue.data.subject,
      certificateId,
      validFrom: '2026-01-01T00:00:00Z',
      validUntil,
    },
  });
  const at = (recordedAt = '2026-06-01T00:00:00Z') => ({ actor: irma, recordedAt, policy: BACKFILL });

  it('lets a certifier issue a certificate, indexed by certifier and subject in the same append', () =>
    expect(new InMemoryStreams().decide(issueCertificate, { ...issue, metadata: at() })).toEqual([
      { stream: 'certificate-C1', events: [issued] },
      { stream: 'engagement-irma-audit_facility:refco/kuantan', events: [engaged('C1')] },
    ]));
  it('keeps the engagement index in step with a certificate’s status', () => {
    const streams = new InMemoryStreams()
      .given('certificates', 'C1', issued)
      .given('engagements', engagementId, engaged('C1'));
    const suspend = { type: 'SuspendCertificate' as const, data: change, metadata: at() };
    expect(streams.decide(suspendCertificate, suspend)).toEqual([
      { stream: 'certificate-C1', events: [changed('CertificateSuspended')] },
      {
        stream: 'engagement-irma-audit_facility:refco/kuantan',
        events: [
          {
            type: 'CertifierEngagementChanged',
            data: {
              certifierOrgId: 'irma-audit',
              certificateId: 'C1',
              status: 'suspended',
              occurredAt: change.occurredAt,
            },
          },
        ],
      },
    ]);
    const certificate = streams.stateOf('engagements', engagementId).certificates.get('C1');
    expect(certificate).toMatchObject({ status: 'suspended', suspensions: [{ from: change.occurredAt }] });
  });
  it(`refuses a certifier's certificate beyond ${MAX_CERTIFICATES_PER_SUBJECT} in force for one subject`, () => {
    const full = Array.from({ length: MAX_CERTIFICATES_PER_SUBJECT }, (_, i) => engaged(`E${i}`));
    const streams = new InMemoryStreams().given('engagements', engagementId, ...full);
    const run = () => streams.decide(issueCertificate, { ...issue, metadata: at() });
    expect(refusal(run).code).toBe('CERTIFICATE_LIMIT_REACHED');
    // Expired and revoked ones do not count.
    const room = new InMemoryStreams().given(
      'engagements',
      engagementId,
      ...full.slice(1),
      engaged('OLD', '2026-05-01T00:00:00Z'),
    );
    expect(room.decide(issueCertificate, { ...issue, metadata: at() })).toHaveLength(2);
    const revoked = new InMemoryStreams().given('engagements', engagementId, ...full, {
      type: 'CertifierEngagementChanged',
      data: { certifierOrgId: 'irma-audit', certificateId: 'E0', status: 'revoked' },
    });
    expect(revoked.decide(issueCertificate, { ...issue, metadata: at() })).toHaveLength(2);
  });
  it('refuses a producer', () =>
    spec([]).when(issueCertificate, issue, as('mineco', 'producer')).thenRefuses('ROLE_REQUIRED'));
  it('refuses an admin, who is not a certifier either', () =>
    spec([])
      .when(issueCertificate, issue, { orgId: 'ledger', keyId: 'admin', roles: ['admin'] })
      .thenRefuses('ROLE_REQUIRED'));
  it('refuses a facility subject that does not name its organisation', () =>
    spec([])
      .when(
        issueCertificate,
        { ...issue, data: { ...issue.data, subject: { type: 'facility' as const, id: 'kuantan' } } },
        irma,
      )
      .thenRefuses('FACILITY_SUBJECT_NEEDS_ORGANISATION'));
  it('refuses a certificate id that exists', () =>
    spec([issued]).when(issueCertificate, issue, irma).thenRefuses('CERTIFICATE_ALREADY_EXISTS'));
  it('lets the issuing certifier suspend it', () =>
    spec([issued])
      .when(suspendCertificate, { type: 'SuspendCertificate' as const, data: change }, irma)
      .then([changed('CertificateSuspended')]));
  it('refuses any other certifier', () =>
    spec([issued])
      .when(suspendCertificate, { type: 'SuspendCertificate' as const, data: change }, as('rmi-audit'))
      .thenRefuses('NOT_ISSUING_CERTIFIER'));
  it('refuses reinstating a certificate that is not suspended', () =>
    spec([issued])
      .when(reinstateCertificate, { type: 'ReinstateCertificate' as const, data: change }, irma)
      .thenRefuses('CERTIFICATE_NOT_SUSPENDED'));
  it('treats revocation as final', () =>
    spec([issued, changed('CertificateRevoked')])
      .when(suspendCertificate, { type: 'SuspendCertificate' as const, data: change }, irma)
      .thenRefuses('CERTIFICATE_REVOKED'));
  it('refuses changing an unknown certificate', () =>
    spec([])
      .when(revokeCertificate, { type: 'RevokeCertificate' as const, data: change }, irma)
      .thenRefuses('CERTIFICATE_NOT_FOUND'));

  it('refuses a certifier’s change recorded later than the recording window allows (ADR 0017)', () => {
    const streams = new InMemoryStreams().given('certificates', 'C1', issued);
    const revoke = { type: 'RevokeCertificate' as const, data: change };
    const late = { actor: irma, recordedAt: '2026-04-09T00:00:01Z' }; // the default window: 30 days
    expect(refusal(() => streams.decide(revokeCertificate, { ...revoke, metadata: late })).code).toBe(
      'RECORDED_TOO_LATE',
    );
    expect(streams.stateOf('certificates', 'C1')).toMatchObject({ status: 'valid' });
    const inTime = { actor: irma, recordedAt: '2026-04-09T00:00:00Z' };
    expect(streams.decide(revokeCertificate, { ...revoke, metadata: inTime })).toHaveLength(1);
  });
});
