import { BACKFILL, refusal } from '../spec-support';
import { type Decider, InMemoryStreams, type Issued } from '../decider';
import { assayBatch } from '../batch/batch.decider';
import type { BatchEvent } from '../batch/batch.events';
import type { OrganisationEvent } from '../organisation/organisation.events';
import type { Actor, Role } from '../shared/actor';
import type { RefusalCode } from '../shared/domain-error';
import { discloseBatch, revokeDisclosure } from './disclosure.decider';
import type { DisclosureGranted } from './disclosure.events';

const RECORDED_AT = '2026-03-01T00:00:00Z';
const as = (orgId: string, ...roles: Role[]): Actor => ({ orgId, keyId: `${orgId}-key`, roles });
const miner = as('mineco', 'producer');
const refiner = as('refco', 'producer');
const trader = as('tradeco', 'producer');
const irma = as('irma', 'certifier');

const org = (orgId: string, country: string, roles: Role[]): OrganisationEvent => ({
  type: 'OrganisationRegistered',
  data: { orgId, name: orgId, country, roles },
});

const issued = <Command>(command: Command, actor: Actor, recordedAt = RECORDED_AT): Issued<Command> => ({
  ...command,
  metadata: { actor, recordedAt, policy: BACKFILL },
});

const ledger = (given: readonly BatchEvent[]) =>
  new InMemoryStreams()
    .given('organisations', 'mineco', org('mineco', 'AU', ['producer']))
    .given('organisations', 'refco', org('refco', 'MY', ['producer']))
    .given('organisations', 'irma', org('irma', 'DE', ['certifier']))
    .given('batches', 'b1', ...given);

const spec = (given: readonly BatchEvent[]) => ({
  when: <Command>(decider: Decider<Command>, command: Command, actor: Actor, recordedAt?: string) => {
    const run = () => ledger(given).decide(decider, issued(command, actor, recordedAt));
    return {
      then: (events: readonly BatchEvent[]) => expect(run()).toEqual([{ stream: 'batch-b1', events }]),
      thenRefuses: (code: RefusalCode) => expect(refusal(run).code).toBe(code),
    };
  },
});

const mined: BatchEvent = {
  type: 'BatchMined',
  data: {
    batchId: 'b1',
    orgId: 'mineco',
    facilityId: 'mt-weld',
    material: { form: 'concentrate', elements: ['Nd'] },
    massGrams: 1_000_000,
    occurredAt: '2026-01-10T08:00:00Z',
  },
};
const shipped: BatchEvent = {
  type: 'BatchShipped',
  data: {
    batchId: 'b1',
    shipmentId: 's1',
    fromOrgId: 'mineco',
    fromFacilityId: 'mt-weld',
    toOrgId: 'refco',
    toFacilityId: 'kuantan',
    massGrams: 1_000_000,
    documents: [],
    occurredAt: '2026-01-12T08:00:00Z',
  },
};
const received: BatchEvent = {
  type: 'BatchReceived',
  data: {
    batchId: 'b1',
    shipmentId: 's1',
    orgId: 'refco',
    facilityId: 'kuantan',
    receivedMassGrams: 1_000_000,
    discrepancyGrams: 0,
    occurredAt: '2026-01-20T08:00:00Z',
  },
};

const disclose = (data: Partial<DisclosureGranted['data']> = {}) => ({
  type: 'DiscloseBatch' as const,
  data: { batchId: 'b1', disclosureId: 'd1', toOrgId: 'irma', scope: 'segment' as const, ...data },
});
const granted = (data: Partial<DisclosureGranted['data']> = {}): DisclosureGranted => ({
  type: 'DisclosureGranted',
  data: {
    batchId: 'b1',
    disclosureId: 'd1',
    toOrgId: 'irma',
    scope: 'segment',
    byOrgId: 'mineco',
    ...data,
  },
});
const revoke = { type: 'RevokeDisclosure' as const, data: { batchId: 'b1', disclosureId: 'd1' } };
const revoked: BatchEvent = {
  type: 'DisclosureRevoked',
  data: { batchId: 'b1', disclosureId: 'd1', byOrgId: 'mineco', toOrgId: 'irma' },
};

describe('disclosure deciders', () => {
  describe('discloseBatch', () => {
    it('records a participant’s disclosure of its part, with its scope and end', () =>
      spec([mined])
        .when(discloseBatch, disclose({ until: '2026-06-01T00:00:00Z', scope: 'history' }), miner)
        .then([granted({ until: '2026-06-01T00:00:00Z', scope: 'history' })]));
    it('lets a past participant disclose too (the miner, once the refiner received the lot)', () =>
      spec([mined, shipped, received]).when(discloseBatch, disclose(), miner).then([granted()]));
    it('lets a later participant disclose (the refiner that received it)', () =>
      spec([mined, shipped, received])
        .when(discloseBatch, disclose({ toOrgId: 'mineco' }), refiner)
        .then([granted({ toOrgId: 'mineco', byOrgId: 'refco' })]));
    it('refuses an organisation that never held the batch, even one it is shipped to', () => {
      spec([mined]).when(discloseBatch, disclose(), trader).thenRefuses('NOT_A_PARTICIPANT');
      spec([mined, shipped]).when(discloseBatch, disclose(), refiner).thenRefuses('NOT_A_PARTICIPANT');
    });
    it('refuses a batch that does not exist', () =>
      spec([]).when(discloseBatch, disclose(), miner).thenRefuses('BATCH_NOT_FOUND'));
    it('refuses a disclosure id used before on the batch', () =>
      spec([mined, granted()])
        .when(discloseBatch, disclose(), miner)
        .thenRefuses('DISCLOSURE_ALREADY_EXISTS'));
    it('refuses a disclosure to itself', () =>
      spec([mined])
        .when(discloseBatch, disclose({ toOrgId: 'mineco' }), miner)
        .thenRefuses('DISCLOSURE_TO_SELF'));
    it('refuses an organisation that is not registered', () =>
      spec([mined])
        .when(discloseBatch, disclose({ toOrgId: 'nobody' }), miner)
        .thenRefuses('ORGANISATION_NOT_FOUND'));
    it('refuses an end that is not later than the ledger’s clock (recordedAt, not the caller’s)', () => {
      spec([mined])
        .when(discloseBatch, disclose({ until: RECORDED_AT }), miner)
        .thenRefuses('DISCLOSURE_UNTIL_NOT_LATER');
      spec([mined])
        .when(discloseBatch, disclose({ until: '2026-04-01T00:00:00Z' }), miner, '2026-04-02T00:00:00Z')
        .thenRefuses('DISCLOSURE_UNTIL_NOT_LATER');
    });
  });

  describe('revokeDisclosure', () => {
    it('records the granter’s revocation, naming whom it was disclosed to', () =>
      spec([mined, granted()]).when(revokeDisclosure, revoke, miner).then([revoked]));
    it('refuses a disclosure that does not exist', () =>
      spec([mined]).when(revokeDisclosure, revoke, miner).thenRefuses('DISCLOSURE_NOT_FOUND'));
    it('refuses anyone but the granter, the grantee included', () => {
      spec([mined, shipped, received, granted()])
        .when(revokeDisclosure, revoke, refiner)
        .thenRefuses('NOT_DISCLOSING_PARTY');
      spec([mined, granted()]).when(revokeDisclosure, revoke, irma).thenRefuses('NOT_DISCLOSING_PARTY');
    });
    it('refuses a second revocation', () =>
      spec([mined, granted(), revoked])
        .when(revokeDisclosure, revoke, miner)
        .thenRefuses('DISCLOSURE_ALREADY_REVOKED'));
  });

  describe('a disclosure engages a certifier for assays', () => {
    const assay = (occurredAt = '2026-02-01T00:00:00Z') => ({
      type: 'AssayBatch' as const,
      data: { batchId: 'b1', assayId: 'a1', lab: 'ALS', method: 'ICP-MS', grade: { TREO: 40 }, occurredAt },
    });
    it('lets a certifier the batch is disclosed to record an assay', () =>
      spec([mined, granted()])
        .when(assayBatch, assay(), irma)
        .then([{ type: 'BatchAssayed', data: { ...assay().data, byOrgId: 'irma' } }]));
    it('refuses it once the disclosure is revoked', () =>
      spec([mined, granted(), revoked]).when(assayBatch, assay(), irma).thenRefuses('CERTIFIER_NOT_ENGAGED'));
    it('judges the disclosure’s end at both times: the assay’s occurredAt and its recordedAt', () => {
      const until = granted({ until: '2026-02-15T00:00:00Z' });
      spec([mined, until])
        .when(assayBatch, assay('2026-02-01T00:00:00Z'), irma, '2026-02-10T00:00:00Z')
        .then([{ type: 'BatchAssayed', data: { ...assay().data, byOrgId: 'irma' } }]);
      spec([mined, until])
        .when(assayBatch, assay('2026-02-01T00:00:00Z'), irma, '2026-02-20T00:00:00Z')
        .thenRefuses('CERTIFIER_NOT_ENGAGED');
      spec([mined, until])
        .when(assayBatch, assay('2026-02-16T00:00:00Z'), irma, '2026-02-16T01:00:00Z')
        .thenRefuses('CERTIFIER_NOT_ENGAGED');
    });
    it('engages only the organisation it was disclosed to', () =>
      spec([mined, granted({ toOrgId: 'refco' })])
        .when(assayBatch, assay(), irma)
        .thenRefuses('CERTIFIER_NOT_ENGAGED'));
  });
});
