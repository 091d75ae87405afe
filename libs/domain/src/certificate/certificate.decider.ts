import { type Decider, eventsFor, type Issued } from '../decider';
import { refuse } from '../shared/domain-error';
import { actorMustHaveRole, occurredAtMustBeWithinRecordingWindow, occurredAtMustNotPrecede } from '../rules';
import type { CertificateEvent, CertificateIssued } from './certificate.events';
import type { CertificateState } from './certificate.state';

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

/** A certifier issues a certificate for a batch, a facility or an organisation. */
export const issueCertificate: Decider<IssueCertificate> = {
  streams: ({ data }) => ({ certificates: [data.certificateId] }),
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
    return [
      eventsFor('certificates', data.certificateId, [
        { type: 'CertificateIssued', data: { ...data, certifierOrgId: metadata.actor.orgId } },
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
      const type = change(command, certificate) as 'CertificateSuspended';
      const data = { certificateId, certifierOrgId: actor.orgId, reason, occurredAt };
      return [eventsFor('certificates', certificateId, [{ type, data }])];
    },
  };
}

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
