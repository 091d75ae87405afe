import { type Actor, hasRole } from '../shared/actor';
import { conflict, forbidden, invalid, notFound, ruleBroken } from '../shared/domain-error';
import { occurredAtMustNotBeInTheFuture, occurredAtMustNotPrecede } from '../shared/time';
import type { CertificateEvent, CertificateIssued } from './certificate.events';

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

export type CertificateStatus = 'valid' | 'suspended' | 'revoked';

export type CertificateState =
  | { readonly exists: false }
  | {
      readonly exists: true;
      readonly certificateId: string;
      readonly certifierOrgId: string;
      readonly status: CertificateStatus;
      readonly lastChangeAt: string;
    };

export interface CertificateContext {
  readonly actor: Actor;
  readonly recordedAt: string;
}

export const initialCertificateState = (): CertificateState => ({ exists: false });

export function evolveCertificate(state: CertificateState, event: CertificateEvent): CertificateState {
  switch (event.type) {
    case 'CertificateIssued': {
      const { certificateId, certifierOrgId, occurredAt } = event.data;
      return { exists: true, certificateId, certifierOrgId, status: 'valid', lastChangeAt: occurredAt };
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

export function decideCertificate(
  command: CertificateCommand,
  state: CertificateState,
  context: CertificateContext,
): CertificateEvent[] {
  const { actor } = context;
  if (!hasRole(actor, 'certifier')) {
    throw forbidden('ROLE_REQUIRED', 'Only a certifier may issue or change a certificate', {
      role: 'certifier',
    });
  }
  occurredAtMustNotBeInTheFuture(command.data.occurredAt, context.recordedAt);
  if (command.type === 'IssueCertificate') {
    if (state.exists) {
      throw conflict(
        'CERTIFICATE_ALREADY_EXISTS',
        `Certificate ${command.data.certificateId} already exists`,
      );
    }
    if (Date.parse(command.data.validUntil) <= Date.parse(command.data.validFrom)) {
      throw invalid('CERTIFICATE_VALIDITY_INVERTED', 'validUntil must be later than validFrom');
    }
    if (command.data.subject.type === 'facility' && !command.data.subject.orgId) {
      throw invalid(
        'FACILITY_SUBJECT_NEEDS_ORGANISATION',
        'A facility certificate must name the facility’s organisation (subject.orgId): facility ids are unique only within one',
      );
    }
    return [{ type: 'CertificateIssued', data: { ...command.data, certifierOrgId: actor.orgId } }];
  }
  const { certificateId, reason, occurredAt } = command.data;
  if (!state.exists) throw notFound('CERTIFICATE_NOT_FOUND', `Certificate ${certificateId} does not exist`);
  if (state.certifierOrgId !== actor.orgId) {
    throw forbidden(
      'NOT_ISSUING_CERTIFIER',
      `Only ${state.certifierOrgId}, which issued certificate ${certificateId}, may change it`,
    );
  }
  if (state.status === 'revoked') {
    throw ruleBroken('CERTIFICATE_REVOKED', `Certificate ${certificateId} is revoked; revocation is final`);
  }
  occurredAtMustNotPrecede(occurredAt, state.lastChangeAt, "the certificate's last change");
  const data = { certificateId, certifierOrgId: actor.orgId, reason, occurredAt };
  switch (command.type) {
    case 'SuspendCertificate':
      if (state.status === 'suspended')
        throw conflict('CERTIFICATE_ALREADY_SUSPENDED', `Certificate ${certificateId} is already suspended`);
      return [{ type: 'CertificateSuspended', data }];
    case 'ReinstateCertificate':
      if (state.status !== 'suspended')
        throw conflict('CERTIFICATE_NOT_SUSPENDED', `Certificate ${certificateId} is not suspended`);
      return [{ type: 'CertificateReinstated', data }];
    case 'RevokeCertificate':
      return [{ type: 'CertificateRevoked', data }];
    default: {
      const unknown: never = command;
      return unknown;
    }
  }
}
