import { type Decider, eventsFor } from '../decider';
import { refuse } from '../shared/domain-error';
import { actorMustBeTheOrganisationOrAdmin, organisationMustExist } from '../rules';
import { isOperator } from '../shared/actor';
import { apiKeysOf } from './credentials.state';

export type IssueApiKey = {
  type: 'IssueApiKey';
  data: { orgId: string; keyId: string; keySha256: string; label?: string };
};
export type RevokeApiKey = {
  type: 'RevokeApiKey';
  data: { orgId: string; keyId: string; revokedAt: string; reason?: string };
};

/** Both places an organisation's keys are known: its stream (older keys) and its credentials stream. */
const keyStreams = ({ data }: { data: { orgId: string } }) => ({
  organisations: [data.orgId],
  credentials: [data.orgId],
});

/** An organisation (or the operator) issues it another API key; only the key's hash is kept. */
export const issueApiKey: Decider<IssueApiKey> = {
  streams: keyStreams,
  decide: ({ data, metadata }, state) => {
    const { orgId, keyId, keySha256, label } = data;
    actorMustBeTheOrganisationOrAdmin(metadata.actor, orgId, 'manage its API keys');
    organisationMustExist(state.organisation(orgId), orgId);
    return [
      eventsFor('credentials', orgId, [
        {
          type: 'ApiKeyIssued',
          data: { orgId, keyId, keySha256, ...(label !== undefined ? { label } : {}) },
        },
      ]),
    ];
  },
};

/**
 * An organisation (or the operator) revokes one of its active API keys: it is refused from the next
 * request on. An organisation cannot revoke its last active key (it would lock itself out): it issues a
 * new one first. The operator can, for a key that leaked; the organisation then has no key until the
 * operator issues it one.
 */
export const revokeApiKey: Decider<RevokeApiKey> = {
  streams: keyStreams,
  decide: ({ data, metadata }, state) => {
    const { orgId, keyId, revokedAt, reason } = data;
    actorMustBeTheOrganisationOrAdmin(metadata.actor, orgId, 'manage its API keys');
    const organisation = organisationMustExist(state.organisation(orgId), orgId);
    const keys = [...apiKeysOf(organisation.apiKeys, state.credentials(orgId)).values()];
    const key = keys.find((candidate) => candidate.keyId === keyId);
    if (!key) throw refuse('API_KEY_NOT_FOUND', `${orgId} has no API key ${keyId}`);
    if (!key.active)
      throw refuse('API_KEY_ALREADY_REVOKED', `API key ${keyId} of ${orgId} is already revoked`);
    if (!isOperator(metadata.actor) && !keys.some((other) => other.active && other.keyId !== keyId)) {
      throw refuse(
        'API_KEY_LAST_ACTIVE',
        `${keyId} is the last active API key of ${orgId}: issue a new key before revoking it`,
      );
    }
    return [
      eventsFor('credentials', orgId, [
        {
          type: 'ApiKeyRevoked',
          data: { orgId, keyId, revokedAt, ...(reason !== undefined ? { reason } : {}) },
        },
      ]),
    ];
  },
};
