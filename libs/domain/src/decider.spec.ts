import type { BatchEvent } from './batch/batch.events';
import { holdBatch, type HoldBatch } from './batch/batch.decider';
import { type Decider, InMemoryStreams, type Issued, ledgerState } from './decider';
import { DomainError } from './shared/domain-error';

const mined: BatchEvent = {
  type: 'BatchMined',
  data: {
    batchId: 'b1',
    orgId: 'mineco',
    facilityId: 'mt-weld',
    material: { form: 'concentrate' },
    massGrams: 1_000,
    occurredAt: '2026-01-10T00:00:00Z',
  },
};
const hold = (actorRole: 'regulator' | 'producer'): Issued<HoldBatch> => ({
  type: 'HoldBatch',
  data: { batchId: 'b1', reason: 'audit', occurredAt: '2026-01-11T00:00:00Z' },
  metadata: {
    actor: { orgId: 'customs', keyId: 'k', roles: [actorRole] },
    recordedAt: '2026-03-01T00:00:00Z',
  },
});

/** The batch's custodian (with the mine, in AU) and the regulator (AU), as a hold needs them. */
const parties = (streams: InMemoryStreams) =>
  streams
    .given(
      'organisations',
      'mineco',
      { type: 'OrganisationRegistered', data: { orgId: 'mineco', name: 'MineCo', country: 'AU', roles: [] } },
      {
        type: 'FacilityRegistered',
        data: { orgId: 'mineco', facilityId: 'mt-weld', kind: 'mine', name: 'Mt Weld', country: 'AU' },
      },
    )
    .given('organisations', 'customs', {
      type: 'OrganisationRegistered',
      data: { orgId: 'customs', name: 'Customs', country: 'AU', roles: ['regulator'] },
    });

describe('InMemoryStreams and ledgerState', () => {
  it('decides on the streams named, and folds what the decision wrote into them', () => {
    const streams = parties(new InMemoryStreams().given('batches', 'b1', mined));
    expect(streams.decide(holdBatch, hold('regulator'))).toEqual([
      {
        stream: 'batch-b1',
        events: [
          {
            type: 'BatchHeld',
            data: {
              batchId: 'b1',
              reason: 'audit',
              occurredAt: '2026-01-11T00:00:00Z',
              authorityOrgId: 'customs',
              authorityCountry: 'AU',
            },
          },
        ],
      },
    ]);
    expect(streams.stateOf('batches', 'b1')).toMatchObject({ exists: true, held: true });
  });

  it('refuses a decision that writes a stream it did not load', () => {
    const sneaky: Decider<HoldBatch> = {
      ...holdBatch,
      decide: (command, state) => [
        ...holdBatch.decide(command, state),
        { stream: 'batch-b2', events: [{ ...mined, data: { ...mined.data, batchId: 'b2' } }] },
      ],
    };
    const streams = parties(new InMemoryStreams().given('batches', 'b1', mined));
    expect(() => streams.decide(sneaky, hold('regulator'))).toThrow(
      'The decision wrote batch-b2, which it did not load',
    );
    expect(streams.stateOf('batches', 'b2')).toEqual({ exists: false });
  });

  it('throws when a decision asks for a stream its decider did not name', () => {
    const state = ledgerState({ batches: new Map([['b1', { exists: false }]]) });
    expect(state.batch('b1')).toEqual({ exists: false });
    expect(() => state.batch('b2')).toThrow('The decision did not load batch-b2');
    expect(() => state.organisation('mineco')).toThrow('The decision did not load org-mineco');
    expect(() => state.licence('L1')).toThrow('The decision did not load licence-L1');
    expect(() => state.certificate('C1')).toThrow('The decision did not load certificate-C1');
    expect(() => state.credentials('mineco')).toThrow('The decision did not load credentials-mineco');
    expect(() => state.engagement('irma_organisation:mineco')).toThrow(
      'The decision did not load engagement-irma_organisation:mineco',
    );

    const forgetful: Decider<HoldBatch> = { streams: () => ({}), decide: holdBatch.decide };
    expect(() => new InMemoryStreams().decide(forgetful, hold('regulator'))).toThrow(
      'The decision did not load batch-b1',
    );
  });

  it('loads the streams `follow` names from what `streams` loaded, before deciding', () => {
    const streams = parties(new InMemoryStreams().given('batches', 'b1', mined));
    const named: string[] = [];
    const watching: Decider<HoldBatch> = {
      ...holdBatch,
      follow: (command, state) => {
        const followed = holdBatch.follow!(command, state);
        named.push(...(followed.organisations ?? []));
        return followed;
      },
    };
    expect(streams.decide(watching, hold('regulator'))).toHaveLength(1);
    expect(named).toEqual(['mineco']);
    // Without follow, the custodian's organisation is not loaded: the decision cannot read it.
    const unfollowed: Decider<HoldBatch> = { streams: holdBatch.streams, decide: holdBatch.decide };
    const fresh = parties(new InMemoryStreams().given('batches', 'b1', mined));
    expect(() => fresh.decide(unfollowed, hold('regulator'))).toThrow('The decision did not load org-mineco');
  });

  it('leaves every state unchanged when the decision is refused', () => {
    const streams = new InMemoryStreams().given('batches', 'b1', mined);
    const before = streams.stateOf('batches', 'b1');
    expect(() => streams.decide(holdBatch, hold('producer'))).toThrow(DomainError);
    expect(streams.stateOf('batches', 'b1')).toBe(before);
  });
});
