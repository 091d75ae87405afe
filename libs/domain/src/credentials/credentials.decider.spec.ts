import { InMemoryStreams } from '../decider';
import type { LedgerEvent } from '../ledger-event';
import type { OrganisationEvent } from '../organisation/organisation.events';
import type { Actor } from '../shared/actor';
import { DomainError } from '../shared/domain-error';
import type { CredentialsEvent } from './credentials.events';
import { issueApiKey, revokeApiKey } from './credentials.decider';
import { activeApiKey } from './credentials.state';

const operator: Actor = { orgId: 'ledger', keyId: 'admin', roles: ['admin'] };
const mineco: Actor = { orgId: 'mineco', keyId: 'k1', roles: ['producer'] };
const at = '2026-11-30T00:00:00.000Z';

const registered: OrganisationEvent = {
  type: 'OrganisationRegistered',
  data: { orgId: 'mineco', name: 'MineCo', country: 'AU', roles: ['producer'] },
};
const key = (keyId: string): CredentialsEvent => ({
  type: 'ApiKeyIssued',
  data: { orgId: 'mineco', keyId, keySha256: `sha-${keyId}` },
});
const revoked = (keyId: string): CredentialsEvent => ({
  type: 'ApiKeyRevoked',
  data: { orgId: 'mineco', keyId, revokedAt: at },
});

/** MineCo with `orgEvents` after its registration (older ledgers' keys) and `credentials`. */
const ledger = (credentials: CredentialsEvent[], orgEvents: OrganisationEvent[] = []) =>
  new InMemoryStreams()
    .given('organisations', 'mineco', registered, ...orgEvents)
    .given('credentials', 'mineco', ...credentials);

const refusal = (run: () => unknown): string => {
  try {
    run();
  } catch (error) {
    if (error instanceof DomainError) return error.code;
    throw error;
  }
  throw new Error('the command was not refused');
};
const issue = (actor: Actor, orgId = 'mineco') => ({
  type: 'IssueApiKey' as const,
  data: { orgId, keyId: 'k2', keySha256: 'sha-k2', label: 'ci' },
  metadata: { actor, recordedAt: at },
});
const revoke = (actor: Actor, keyId = 'k1') => ({
  type: 'RevokeApiKey' as const,
  data: { orgId: 'mineco', keyId, revokedAt: at, reason: 'rotated' },
  metadata: { actor, recordedAt: at },
});
const streamEvents = (run: () => { stream: string; events: readonly LedgerEvent[] }[]) =>
  run().map(({ stream, events }) => ({ stream, types: events.map((event) => event.type) }));

describe('API key deciders', () => {
  it('issues another key to the organisation, into its credentials stream', () => {
    const streams = ledger([key('k1')]);
    expect(streams.decide(issueApiKey, issue(mineco))).toEqual([
      {
        stream: 'credentials-mineco',
        events: [
          { type: 'ApiKeyIssued', data: { orgId: 'mineco', keyId: 'k2', keySha256: 'sha-k2', label: 'ci' } },
        ],
      },
    ]);
    expect(activeApiKey(new Map(), streams.stateOf('credentials', 'mineco'), 'sha-k2')).toBe('k2');
  });

  it('lets only the organisation or the operator manage its keys', () => {
    expect(refusal(() => ledger([key('k1')]).decide(issueApiKey, issue({ ...mineco, orgId: 'refco' })))).toBe(
      'NOT_YOUR_ORGANISATION',
    );
    expect(ledger([key('k1')]).decide(issueApiKey, issue(operator))).toHaveLength(1);
    expect(refusal(() => ledger([]).decide(issueApiKey, issue(operator, 'nobody')))).toBe(
      'ORGANISATION_NOT_FOUND',
    );
  });

  it('revokes a key once another is active; the revoked key no longer resolves', () => {
    const streams = ledger([key('k1'), key('k2')]);
    expect(streamEvents(() => streams.decide(revokeApiKey, revoke(mineco)))).toEqual([
      { stream: 'credentials-mineco', types: ['ApiKeyRevoked'] },
    ]);
    const credentials = streams.stateOf('credentials', 'mineco');
    expect(activeApiKey(new Map(), credentials, 'sha-k1')).toBeUndefined();
    expect(activeApiKey(new Map(), credentials, 'sha-k2')).toBe('k2');
    expect(refusal(() => streams.decide(revokeApiKey, revoke(mineco)))).toBe('API_KEY_ALREADY_REVOKED');
    expect(refusal(() => streams.decide(revokeApiKey, revoke(mineco, 'k9')))).toBe('API_KEY_NOT_FOUND');
  });

  it('refuses an organisation revoking its last active key, not the operator', () => {
    expect(refusal(() => ledger([key('k1')]).decide(revokeApiKey, revoke(mineco)))).toBe(
      'API_KEY_LAST_ACTIVE',
    );
    expect(
      refusal(() => ledger([key('k1'), key('k2'), revoked('k2')]).decide(revokeApiKey, revoke(mineco))),
    ).toBe('API_KEY_LAST_ACTIVE');
    expect(ledger([key('k1')]).decide(revokeApiKey, revoke(operator))).toHaveLength(1);
  });

  it('revokes a key an older ledger issued in the organisation stream', () => {
    const legacy: OrganisationEvent = {
      type: 'ApiKeyIssued',
      data: { orgId: 'mineco', keyId: 'k1', keySha256: 'sha-k1' },
    };
    const streams = ledger([key('k2')], [legacy]);
    const organisation = streams.stateOf('organisations', 'mineco');
    const legacyKeys = organisation.exists ? organisation.apiKeys : new Map<string, string>();
    expect(activeApiKey(legacyKeys, streams.stateOf('credentials', 'mineco'), 'sha-k1')).toBe('k1');
    streams.decide(revokeApiKey, revoke(mineco));
    expect(activeApiKey(legacyKeys, streams.stateOf('credentials', 'mineco'), 'sha-k1')).toBeUndefined();
  });
});
