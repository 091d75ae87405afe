import { refusal } from '../spec-support';
import { type Decider, InMemoryStreams } from '../decider';
import { type Actor, tenantRoles } from '../shared/actor';
import type { RefusalCode } from '../shared/domain-error';
import {
  assignGln,
  registerFacility,
  registerOrganisation,
  registerSigningKey,
  revokeSigningKey,
} from './organisation.decider';
import type { OrganisationEvent } from './organisation.events';
import { evolveOrganisation, initialOrganisationState, signaturesRequired } from './organisation.state';

/** Given MineCo's events, when a command, then exactly these events on MineCo's stream, or a refusal. */
const spec = (given: readonly OrganisationEvent[]) => ({
  when: <Command>(decider: Decider<Command>, command: Command, actor: Actor) => {
    const run = () =>
      new InMemoryStreams()
        .given('organisations', 'mineco', ...given)
        .decide(decider, { ...command, metadata: { actor, recordedAt: '2026-11-30T00:00:00.000Z' } });
    return {
      then: (events: readonly OrganisationEvent[]) =>
        expect(run()).toEqual([{ stream: 'org-mineco', events }]),
      thenRefuses: (code: RefusalCode) => expect(refusal(run).code).toBe(code),
    };
  },
});
const admin: Actor = { orgId: 'ledger', keyId: 'admin', roles: ['admin'] };
const mineco: Actor = { orgId: 'mineco', keyId: 'k1', roles: ['producer'] };

const register = {
  type: 'RegisterOrganisation' as const,
  data: {
    orgId: 'mineco',
    name: 'MineCo',
    country: 'AU',
    roles: ['producer' as const, 'producer' as const],
    keyId: 'k1',
    keySha256: 'ab',
  },
};
const registered: OrganisationEvent[] = [
  {
    type: 'OrganisationRegistered',
    data: { orgId: 'mineco', name: 'MineCo', country: 'AU', roles: ['producer'] },
  },
  { type: 'ApiKeyIssued', data: { orgId: 'mineco', keyId: 'k1', keySha256: 'ab' } },
];
const facility = {
  type: 'RegisterFacility' as const,
  data: {
    orgId: 'mineco',
    facilityId: 'mt-weld',
    kind: 'mine' as const,
    name: 'Mt Weld',
    country: 'AU',
    lat: -28.86,
    lon: 122.55,
  },
};

describe('organisation deciders', () => {
  it('registers an organisation (roles deduplicated), its first API key in its credentials stream', () =>
    expect(
      new InMemoryStreams().decide(registerOrganisation, {
        ...register,
        metadata: { actor: admin, recordedAt: '2026-11-30T00:00:00.000Z' },
      }),
    ).toEqual([
      { stream: 'org-mineco', events: [registered[0]] },
      { stream: 'credentials-mineco', events: [registered[1]] },
    ]));
  it('refuses registering the operator’s own id', () =>
    expect(
      refusal(() =>
        new InMemoryStreams().decide(registerOrganisation, {
          ...register,
          data: { ...register.data, orgId: 'ledger' },
          metadata: { actor: admin, recordedAt: '2026-11-30T00:00:00.000Z' },
        }),
      ).code,
    ).toBe('ORGANISATION_ALREADY_EXISTS'));
  it('gives an organisation registered with `admin` (by an older ledger) no operator powers', () =>
    spec(registered)
      .when(registerFacility, facility, {
        orgId: 'other',
        keyId: 'k9',
        roles: tenantRoles(['admin', 'producer']),
      })
      .thenRefuses('NOT_YOUR_ORGANISATION'));
  it('refuses registration by a non-admin', () =>
    spec([]).when(registerOrganisation, register, mineco).thenRefuses('ROLE_REQUIRED'));
  it('refuses an orgId that exists', () =>
    spec(registered).when(registerOrganisation, register, admin).thenRefuses('ORGANISATION_ALREADY_EXISTS'));
  it('lets an organisation register its own facility', () =>
    spec(registered)
      .when(registerFacility, facility, mineco)
      .then([{ type: 'FacilityRegistered', data: facility.data }]));
  it('lets an admin register a facility for an organisation', () =>
    spec(registered)
      .when(registerFacility, facility, admin)
      .then([{ type: 'FacilityRegistered', data: facility.data }]));
  it('refuses a facility for another organisation', () =>
    spec(registered)
      .when(registerFacility, facility, { ...mineco, orgId: 'other' })
      .thenRefuses('NOT_YOUR_ORGANISATION'));
  it('refuses a facility for an unknown organisation', () =>
    spec([]).when(registerFacility, facility, mineco).thenRefuses('ORGANISATION_NOT_FOUND'));
  it('refuses a facility for an unknown organisation, even by an admin', () =>
    spec([]).when(registerFacility, facility, admin).thenRefuses('ORGANISATION_NOT_FOUND'));
  it('refuses a facility id the organisation already has', () =>
    spec([...registered, { type: 'FacilityRegistered', data: facility.data }])
      .when(registerFacility, facility, mineco)
      .thenRefuses('FACILITY_ALREADY_EXISTS'));
});

describe('organisation decider: signing keys', () => {
  const publicKey = {
    kty: 'OKP' as const,
    crv: 'Ed25519' as const,
    x: 'JrQLj5P_89iXES9-vFgrIy29clF9CC_oPPsw3c5D0bs',
  };
  const otherKey = { ...publicKey, x: '11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo' };
  const at = '2026-11-28T10:00:00.000Z';
  const later = '2026-11-29T10:00:00.000Z';
  const registerKey = (data: Partial<{ keyId: string; publicKey: unknown; replaces: string }> = {}) => ({
    type: 'RegisterSigningKey' as const,
    data: { orgId: 'mineco', keyId: 'sk1', publicKey, registeredAt: at, ...data } as {
      orgId: string;
      keyId: string;
      publicKey: typeof publicKey;
      registeredAt: string;
      replaces?: string;
    },
  });
  const keyRegistered: OrganisationEvent = {
    type: 'SigningKeyRegistered',
    data: { orgId: 'mineco', keyId: 'sk1', publicKey, registeredAt: at },
  };
  const revoke = (keyId = 'sk1') => ({
    type: 'RevokeSigningKey' as const,
    data: { orgId: 'mineco', keyId, revokedAt: later, reason: 'laptop lost' },
  });

  it('registers a key of the organisation', () =>
    spec(registered).when(registerSigningKey, registerKey(), mineco).then([keyRegistered]));
  it('lets an admin register a key for an organisation (recovery when its keys are lost)', () =>
    spec(registered).when(registerSigningKey, registerKey(), admin).then([keyRegistered]));
  it('refuses a key for another organisation', () =>
    spec(registered)
      .when(registerSigningKey, registerKey(), { ...mineco, orgId: 'other' })
      .thenRefuses('NOT_YOUR_ORGANISATION'));
  it('refuses a key for an unknown organisation', () =>
    spec([]).when(registerSigningKey, registerKey(), mineco).thenRefuses('ORGANISATION_NOT_FOUND'));
  it.each([
    ['a private part', { ...publicKey, d: publicKey.x }],
    ['another curve', { ...publicKey, crv: 'X25519' }],
    ['a short x', { ...publicKey, x: publicKey.x.slice(2) }],
    ['a PEM string', '-----BEGIN PUBLIC KEY-----'],
  ])('refuses a public key with %s', (_case, key) =>
    spec(registered)
      .when(registerSigningKey, registerKey({ publicKey: key }), mineco)
      .thenRefuses('SIGNING_KEY_INVALID'),
  );
  it('refuses a keyId the organisation has used, even for a revoked key', () =>
    spec([
      ...registered,
      keyRegistered,
      { type: 'SigningKeyRevoked', data: { orgId: 'mineco', keyId: 'sk1', revokedAt: later } },
    ])
      .when(registerSigningKey, registerKey({ publicKey: otherKey }), mineco)
      .thenRefuses('SIGNING_KEY_ALREADY_EXISTS'));
  it('refuses a public key already registered under another id', () =>
    spec([...registered, keyRegistered])
      .when(registerSigningKey, registerKey({ keyId: 'sk2' }), mineco)
      .thenRefuses('SIGNING_KEY_ALREADY_EXISTS'));
  it('rotates: registers the new key and revokes the one it replaces, in one decision', () =>
    spec([...registered, keyRegistered])
      .when(registerSigningKey, registerKey({ keyId: 'sk2', publicKey: otherKey, replaces: 'sk1' }), mineco)
      .then([
        {
          type: 'SigningKeyRegistered',
          data: { orgId: 'mineco', keyId: 'sk2', publicKey: otherKey, registeredAt: at, replaces: 'sk1' },
        },
        {
          type: 'SigningKeyRevoked',
          data: { orgId: 'mineco', keyId: 'sk1', revokedAt: at, reason: 'rotated', replacedBy: 'sk2' },
        },
      ]));
  it('refuses to rotate out an unknown key', () =>
    spec([...registered, keyRegistered])
      .when(registerSigningKey, registerKey({ keyId: 'sk2', publicKey: otherKey, replaces: 'sk9' }), mineco)
      .thenRefuses('SIGNING_KEY_NOT_FOUND'));
  it('revokes an active key', () =>
    spec([...registered, keyRegistered])
      .when(revokeSigningKey, revoke(), mineco)
      .then([
        {
          type: 'SigningKeyRevoked',
          data: { orgId: 'mineco', keyId: 'sk1', revokedAt: later, reason: 'laptop lost' },
        },
      ]));
  it('refuses to revoke an unknown key', () =>
    spec([...registered, keyRegistered])
      .when(revokeSigningKey, revoke('sk9'), mineco)
      .thenRefuses('SIGNING_KEY_NOT_FOUND'));
  it('refuses to revoke a key twice, or to rotate out a revoked key', () => {
    const revoked: OrganisationEvent[] = [
      ...registered,
      keyRegistered,
      { type: 'SigningKeyRevoked', data: { orgId: 'mineco', keyId: 'sk1', revokedAt: later } },
    ];
    spec(revoked).when(revokeSigningKey, revoke(), mineco).thenRefuses('SIGNING_KEY_ALREADY_REVOKED');
    spec(revoked)
      .when(registerSigningKey, registerKey({ keyId: 'sk2', publicKey: otherKey, replaces: 'sk1' }), mineco)
      .thenRefuses('SIGNING_KEY_ALREADY_REVOKED');
  });
  it('refuses another organisation revoking the key', () =>
    spec([...registered, keyRegistered])
      .when(revokeSigningKey, revoke(), { ...mineco, orgId: 'other' })
      .thenRefuses('NOT_YOUR_ORGANISATION'));

  it('requires signatures from the first key on, also once every key is revoked', () => {
    const fold = (events: OrganisationEvent[]) =>
      events.reduce(evolveOrganisation, initialOrganisationState());
    expect(signaturesRequired(fold(registered))).toBe(false);
    expect(signaturesRequired(fold([...registered, keyRegistered]))).toBe(true);
    const revoked = fold([
      ...registered,
      keyRegistered,
      { type: 'SigningKeyRevoked', data: { orgId: 'mineco', keyId: 'sk1', revokedAt: later } },
    ]);
    expect(signaturesRequired(revoked)).toBe(true);
    expect(revoked.exists && revoked.signingKeys.get('sk1')).toEqual({
      keyId: 'sk1',
      publicKey,
      registeredAt: at,
      revokedAt: later,
    });
  });
});

describe('organisation decider: GLNs', () => {
  const gln = '0614141000012';
  const other = '4000001000005';
  const at = { recordedAt: '2026-11-30T00:00:00.000Z' };
  const facilityRegistered: OrganisationEvent = { type: 'FacilityRegistered', data: facility.data };
  /** MineCo registered with its facility, and whatever GLNs are already claimed. */
  const ledger = (...claims: [string, string, string?][]) => {
    const streams = new InMemoryStreams().given('organisations', 'mineco', ...registered, facilityRegistered);
    for (const [claimed, orgId, facilityId] of claims) {
      const data = { gln: claimed, orgId, ...(facilityId ? { facilityId } : {}) };
      streams.given('glns', claimed, { type: 'GlnClaimed', data });
    }
    return streams;
  };
  const decideOn =
    <C>(streams: InMemoryStreams, decider: Decider<C>, command: C, actor: Actor) =>
    () =>
      streams.decide(decider, { ...command, metadata: { actor, ...at } });
  const assign = (data: { facilityId?: string; gln: string }) => ({
    type: 'AssignGln' as const,
    data: { orgId: 'mineco', ...data },
  });

  it('registers an organisation with its GLN, claimed on the GLN’s own stream in the same append', () =>
    expect(
      new InMemoryStreams().decide(registerOrganisation, {
        ...register,
        data: { ...register.data, gln },
        metadata: { actor: admin, ...at },
      }),
    ).toEqual([
      {
        stream: 'org-mineco',
        events: [registered[0], { type: 'GlnAssigned', data: { orgId: 'mineco', gln } }],
      },
      { stream: 'credentials-mineco', events: [registered[1]] },
      { stream: `gln-${gln}`, events: [{ type: 'GlnClaimed', data: { orgId: 'mineco', gln } }] },
    ]));
  it('registers a facility with its GLN, by the operator (the GLN not in FacilityRegistered)', () =>
    expect(
      decideOn(
        ledger(),
        registerFacility,
        { ...facility, data: { ...facility.data, facilityId: 'plant', gln } },
        admin,
      )(),
    ).toEqual([
      {
        stream: 'org-mineco',
        events: [
          { type: 'FacilityRegistered', data: { ...facility.data, facilityId: 'plant' } },
          { type: 'GlnAssigned', data: { orgId: 'mineco', facilityId: 'plant', gln } },
        ],
      },
      {
        stream: `gln-${gln}`,
        events: [{ type: 'GlnClaimed', data: { orgId: 'mineco', facilityId: 'plant', gln } }],
      },
    ]));
  it('refuses an organisation giving its own facility a GLN, at registration or later: only the operator does (ROLE_REQUIRED)', () => {
    const streams = ledger();
    expect(
      refusal(
        decideOn(
          streams,
          registerFacility,
          { ...facility, data: { ...facility.data, facilityId: 'plant', gln } },
          mineco,
        ),
      ).code,
    ).toBe('ROLE_REQUIRED');
    expect(refusal(decideOn(streams, assignGln, assign({ facilityId: 'mt-weld', gln }), mineco)).code).toBe(
      'ROLE_REQUIRED',
    );
    expect(streams.stateOf('glns', gln).holder).toBeUndefined();
    // Without a GLN the organisation registers its facility as before.
    decideOn(
      streams,
      registerFacility,
      { ...facility, data: { ...facility.data, facilityId: 'plant' } },
      mineco,
    )();
  });
  it.each(['0614141000013', '061414100001', 'GLN0614141000', '06141410000122', '0000000000000'])(
    'refuses the GLN %s (not 13 digits with a right check digit) on registration and later',
    (bad) => {
      expect(
        refusal(
          decideOn(
            new InMemoryStreams(),
            registerOrganisation,
            { ...register, data: { ...register.data, gln: bad } },
            admin,
          ),
        ).code,
      ).toBe('INVALID_GLN');
      expect(
        refusal(
          decideOn(
            ledger(),
            registerFacility,
            { ...facility, data: { ...facility.data, facilityId: 'p', gln: bad } },
            admin,
          ),
        ).code,
      ).toBe('INVALID_GLN');
      expect(refusal(decideOn(ledger(), assignGln, assign({ gln: bad }), admin)).code).toBe('INVALID_GLN');
    },
  );
  it('refuses a GLN another organisation holds, on registration of an organisation or a facility', () => {
    const taken = ledger([gln, 'other']);
    expect(
      refusal(
        decideOn(
          taken,
          registerOrganisation,
          { ...register, data: { ...register.data, orgId: 'newco', gln } },
          admin,
        ),
      ).code,
    ).toBe('GLN_TAKEN');
    expect(
      refusal(
        decideOn(
          taken,
          registerFacility,
          { ...facility, data: { ...facility.data, facilityId: 'p', gln } },
          admin,
        ),
      ).code,
    ).toBe('GLN_TAKEN');
  });
  it('refuses a GLN a facility holds for its own organisation, and the organisation’s for a facility', () => {
    expect(refusal(decideOn(ledger([gln, 'other', 'x']), assignGln, assign({ gln }), admin)).code).toBe(
      'GLN_TAKEN',
    );
    expect(
      refusal(decideOn(ledger([gln, 'mineco']), assignGln, assign({ facilityId: 'mt-weld', gln }), admin))
        .code,
    ).toBe('GLN_TAKEN');
  });
  it('gives a registered organisation its GLN, and a facility its GLN, by the operator', () => {
    const streams = ledger();
    expect(decideOn(streams, assignGln, assign({ gln }), admin)()).toEqual([
      { stream: 'org-mineco', events: [{ type: 'GlnAssigned', data: { orgId: 'mineco', gln } }] },
      { stream: `gln-${gln}`, events: [{ type: 'GlnClaimed', data: { orgId: 'mineco', gln } }] },
    ]);
    decideOn(streams, assignGln, assign({ facilityId: 'mt-weld', gln: other }), admin)();
    const state = streams.stateOf('organisations', 'mineco');
    expect(state.exists && [state.gln, state.facilities.get('mt-weld')?.gln]).toEqual([gln, other]);
    expect(streams.stateOf('glns', other).holder).toEqual({ orgId: 'mineco', facilityId: 'mt-weld' });
  });
  it('refuses to change a GLN once given', () => {
    const streams = ledger();
    decideOn(streams, assignGln, assign({ gln }), admin)();
    expect(refusal(decideOn(streams, assignGln, assign({ gln: other }), admin)).code).toBe('GLN_ALREADY_SET');
    expect(refusal(decideOn(streams, assignGln, assign({ gln }), admin)).code).toBe('GLN_ALREADY_SET');
  });
  it('lets only the operator give an organisation, or any facility, its GLN', () => {
    expect(refusal(decideOn(ledger(), assignGln, assign({ gln }), mineco)).code).toBe('ROLE_REQUIRED');
    expect(
      refusal(
        decideOn(ledger(), assignGln, assign({ facilityId: 'mt-weld', gln }), { ...mineco, orgId: 'other' }),
      ).code,
    ).toBe('ROLE_REQUIRED');
  });
  it('refuses a GLN for an unknown facility or organisation', () => {
    expect(refusal(decideOn(ledger(), assignGln, assign({ facilityId: 'nope', gln }), admin)).code).toBe(
      'FACILITY_NOT_FOUND',
    );
    expect(refusal(decideOn(new InMemoryStreams(), assignGln, assign({ gln }), admin)).code).toBe(
      'ORGANISATION_NOT_FOUND',
    );
  });
});
