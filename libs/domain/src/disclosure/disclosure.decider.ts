import { type Decider, eventsFor } from '../decider';
import {
  actorMustBeAParticipant,
  batchMustExist,
  disclosureMustEndAfterItIsRecorded,
  organisationMustExist,
} from '../rules';
import { refuse } from '../shared/domain-error';
import type { DisclosureScope } from './disclosure.events';

export type DiscloseBatch = {
  type: 'DiscloseBatch';
  data: { batchId: string; disclosureId: string; toOrgId: string; scope: DisclosureScope; until?: string };
};
export type RevokeDisclosure = {
  type: 'RevokeDisclosure';
  data: { batchId: string; disclosureId: string };
};
export type DisclosureCommand = DiscloseBatch | RevokeDisclosure;

/**
 * A participant of a batch (an organisation that held custody of it) discloses its own part of it to
 * another organisation: from the grant's position on, that organisation reads it (docs/visibility.md).
 */
export const discloseBatch: Decider<DiscloseBatch> = {
  streams: ({ data }) => ({ batches: [data.batchId], organisations: [data.toOrgId] }),
  decide: ({ data, metadata }, state) => {
    const { actor, recordedAt } = metadata;
    const batch = batchMustExist(state.batch(data.batchId), data.batchId);
    actorMustBeAParticipant(batch, actor, 'disclose it');
    if (batch.disclosures.has(data.disclosureId)) {
      throw refuse('DISCLOSURE_ALREADY_EXISTS', `Disclosure ${data.disclosureId} is already recorded`);
    }
    if (data.toOrgId === actor.orgId) {
      throw refuse('DISCLOSURE_TO_SELF', 'An organisation cannot disclose a batch to itself');
    }
    organisationMustExist(state.organisation(data.toOrgId), data.toOrgId);
    if (data.until !== undefined) disclosureMustEndAfterItIsRecorded(data.until, recordedAt);
    return [
      eventsFor('batches', data.batchId, [
        { type: 'DisclosureGranted', data: { ...data, byOrgId: actor.orgId } },
      ]),
    ];
  },
};

/** The organisation that granted a disclosure withdraws it, from the revocation's position on. */
export const revokeDisclosure: Decider<RevokeDisclosure> = {
  streams: ({ data }) => ({ batches: [data.batchId] }),
  decide: ({ data, metadata }, state) => {
    const { actor } = metadata;
    const batch = batchMustExist(state.batch(data.batchId), data.batchId);
    const disclosure = batch.disclosures.get(data.disclosureId);
    if (!disclosure) {
      throw refuse('DISCLOSURE_NOT_FOUND', `Batch ${batch.batchId} has no disclosure ${data.disclosureId}`);
    }
    if (disclosure.byOrgId !== actor.orgId) {
      throw refuse(
        'NOT_DISCLOSING_PARTY',
        `Only ${disclosure.byOrgId}, which granted disclosure ${data.disclosureId}, may revoke it`,
      );
    }
    if (disclosure.revoked) {
      throw refuse('DISCLOSURE_ALREADY_REVOKED', `Disclosure ${data.disclosureId} is already revoked`);
    }
    const { byOrgId, toOrgId } = disclosure;
    return [
      eventsFor('batches', data.batchId, [
        { type: 'DisclosureRevoked', data: { ...data, byOrgId, toOrgId } },
      ]),
    ];
  },
};
