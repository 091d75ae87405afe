import type { OrganisationEvent } from '@tracelode/domain';
import { projectionSpec } from '@tracelode/testing';
import { organisationsProjection } from './organisations.projection';

const publicKey = {
  kty: 'OKP' as const,
  crv: 'Ed25519' as const,
  x: 'JrQLj5P_89iXES9-vFgrIy29clF9CC_oPPsw3c5D0bs',
};
const EVENTS: OrganisationEvent[] = [
  {
    type: 'OrganisationRegistered',
    data: { orgId: 'mineco', name: 'MineCo', country: 'AU', roles: ['producer'] },
  },
  {
    type: 'SigningKeyRegistered',
    data: { orgId: 'mineco', keyId: 'sk1', publicKey, registeredAt: '2026-11-28T10:00:00.000Z' },
  },
  {
    type: 'SigningKeyRegistered',
    data: {
      orgId: 'mineco',
      keyId: 'sk2',
      publicKey: { ...publicKey, x: '11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo' },
      registeredAt: '2026-11-29T10:00:00.000Z',
      replaces: 'sk1',
    },
  },
  {
    type: 'SigningKeyRevoked',
    data: {
      orgId: 'mineco',
      keyId: 'sk1',
      revokedAt: '2026-11-29T10:00:00.000Z',
      reason: 'rotated',
      replacedBy: 'sk2',
    },
  },
];

describe('organisations projection', () => {
  it('shows every signing key with its status, rotation and revocation', () => {
    const scenario = projectionSpec(organisationsProjection).given(...EVENTS);
    const view = scenario.then('mineco');
    expect(scenario.keys()).toEqual(['mineco', 'mineco', 'mineco', 'mineco']);
    expect(view?.signingKeys).toEqual([
      {
        keyId: 'sk1',
        publicKey,
        status: 'revoked',
        registeredAt: '2026-11-28T10:00:00.000Z',
        revokedAt: '2026-11-29T10:00:00.000Z',
        replacedBy: 'sk2',
        revocationReason: 'rotated',
      },
      {
        keyId: 'sk2',
        publicKey: { ...publicKey, x: '11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo' },
        status: 'active',
        registeredAt: '2026-11-29T10:00:00.000Z',
        replaces: 'sk1',
      },
    ]);
  });
});
