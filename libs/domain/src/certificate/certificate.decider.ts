import { type Decider, eventsFor, type Issued } from '../decider';
import { refuse } from '../shared/domain-error';
import {
  actorMustHaveRole,
  certifierMustHaveRoomForACertificate,
  occurredAtMustBeWithinRecordingWindow,
  occurredAtMustNotPrecede,
} from '../rules';
import type { CertificateEvent, CertificateIssued } from './certificate.events';
import type { CertificateState, CertificateStatus } from './certificate.state';
import { engagementIdOf } from '../engagement/engagement.state';

export type IssueCertificate = {
  type: 'IssueCertificate';
  data: Omit<CertificateIssued['data'], 'certifierOrgId'>;
};
type CertificateStatusCommand<Type extends string> = {
  type: Type;
  data: { certificateId: string; reason: string; occurredAt: string };
};
export type SuspendCertificate = CertificateStatusCommand<'SuspendCertificate'>;
export type ReinstateCertificate = CertificateStatusCommand<'ReinstateCertificate'>;
export type RevokeCertificate = CertificateStatusCommand<'RevokeCertificate'>;
export type CertificateCommand =
  IssueCertificate | SuspendCertificate | ReinstateCertificate | RevokeCertificate;

/** Every certificate command is a certifier's, and none may claim to have happened after it was recorded (or, but for a regulator, too long before). */
function certifierActsNow(command: Issued<CertificateCommand>): void {
  actorMustHaveRole(command.metadata.actor, 'certifier', 'issue or change a certificate');
  occurredAtMustBeWithinRecordingWindow(command.data.occurredAt, command.metadata);
}

/**
 * A certifier issues a certificate for a batch, a facility or an organisation, at most
 * MAX_CERTIFICATES_PER_SUBJECT of them in force per subject; its engagement stream for the subject
 * (certifier and subject) indexes it, in the same append.
 */
export const issueCertificate: Decider<IssueCertificate> = {
  streams: ({ data, metadata }) => ({
    certificates: [data.certificateId],
    engagements: [engagementIdOf(metadata.actor.orgId, data.subject)],
  }),
  decide: (command, state) => {
    certifierActsNow(command);
    const { data, metadata } = command;
    if (state.certificate(data.certificateId).exists) {
      throw refuse('CERTIFICATE_ALREADY_EXISTS', `Certificate ${data.certificateId} already exists`);
    }
    if (Date.parse(data.validUntil) <= Date.parse(data.validFrom)) {
      throw refuse('CERTIFICATE_VALIDITY_INVERTED', 'validUntil must be later than validFrom');
    }
    if (data.subject.type === 'facility' && !data.subject.orgId) {
      throw refuse(
        'FACILITY_SUBJECT_NEEDS_ORGANISATION',
        'A facility certificate must name the facility’s organisation (subject.orgId): facility ids are unique only within one',
      );
    }
    const certifierOrgId = metadata.actor.orgId;
    const engagementId = engagementIdOf(certifierOrgId, data.subject);
    certifierMustHaveRoomForACertificate(state.engagement(engagementId), data.subject, metadata.recordedAt);
    const { certificateId, subject, validFrom, validUntil } = data;
    return [
      eventsFor('certificates', data.certificateId, [
        { type: 'CertificateIssued', data: { ...data, certifierOrgId } },
      ]),
      eventsFor('engagements', engagementId, [
        { type: 'CertifierEngaged', data: { certifierOrgId, subject, certificateId, validFrom, validUntil } },
      ]),
    ];
  },
};

/** The issuing certifier suspends, reinstates or revokes its certificate; revocation is final. */
function certificateChange<Command extends Exclude<CertificateCommand, IssueCertificate>>(
  change: (
    command: Issued<Command>,
    certificate: Extract<CertificateState, { exists: true }>,
  ) => CertificateEvent['type'],
): Decider<Command> {
  return {
    streams: ({ data }) => ({ certificates: [data.certificateId] }),
    // The engagement stream indexing it: by its certifier and subject, known once it is loaded.
    follow: ({ data }, state) => {
      const certificate = state.certificate(data.certificateId);
      return certificate.exists
        ? { engagements: [engagementIdOf(certificate.certifierOrgId, certificate.subject)] }
        : {};
    },
    decide: (command, state) => {
      certifierActsNow(command);
      const { certificateId, reason, occurredAt } = command.data;
      const certificate = state.certificate(certificateId);
      if (!certificate.exists) {
        throw refuse('CERTIFICATE_NOT_FOUND', `Certificate ${certificateId} does not exist`);
      }
      const { actor } = command.metadata;
      if (certificate.certifierOrgId !== actor.orgId) {
        throw refuse(
          'NOT_ISSUING_CERTIFIER',
          `Only ${certificate.certifierOrgId}, which issued certificate ${certificateId}, may change it`,
        );
      }
      if (certificate.status === 'revoked') {
        throw refuse('CERTIFICATE_REVOKED', `Certificate ${certificateId} is revoked; revocation is final`);
      }
      occurredAtMustNotPrecede(occurredAt, certificate.lastChangeAt, "the certificate's last change");
      const type = change(command, certificate) as keyof typeof STATUS_AFTER;
      const data = { certificateId, certifierOrgId: actor.orgId, reason, occurredAt };
      const engagementId = engagementIdOf(actor.orgId, certificate.subject);
      // Certificates issued before engagements were indexed have none: nothing to keep in step there.
      if (!state.engagement(engagementId).certificates.has(certificateId)) {
        return [eventsFor('certificates', certificateId, [{ type, data }])];
      }
      const status = STATUS_AFTER[type];
      return [
        eventsFor('certificates', certificateId, [{ type, data }]),
        eventsFor('engagements', engagementId, [
          {
            type: 'CertifierEngagementChanged',
            data: { certifierOrgId: actor.orgId, certificateId, status, occurredAt },
          },
        ]),
      ];
    },
  };
}

const STATUS_AFTER: Record<
  'CertificateSuspended' | 'CertificateReinstated' | 'CertificateRevoked',
  CertificateStatus
> = {
  CertificateSuspended: 'suspended',
  CertificateReinstated: 'valid',
  CertificateRevoked: 'revoked',
};

export const suspendCertificate = certificateChange<SuspendCertificate>(({ data }, certificate) => {
  if (certificate.status === 'suspended') {
    throw refuse('CERTIFICATE_ALREADY_SUSPENDED', `Certificate ${data.certificateId} is already suspended`);
  }
  return 'CertificateSuspended';
});

export const reinstateCertificate = certificateChange<ReinstateCertificate>(({ data }, certificate) => {
  if (certificate.status !== 'suspended') {
    throw refuse('CERTIFICATE_NOT_SUSPENDED', `Certificate ${data.certificateId} is not suspended`);
  }
  return 'CertificateReinstated';
});

export const revokeCertificate = certificateChange<RevokeCertificate>(() => 'CertificateRevoked');
