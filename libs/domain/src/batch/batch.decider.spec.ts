import { deciderSpec } from '@tracelode/testing';
import type { Actor } from '../shared/actor';
import {
  evolveOrganisation,
  initialOrganisationState,
  type OrganisationState,
} from '../organisation/organisation.decider';
import type { OrganisationEvent } from '../organisation/organisation.events';
import { type BatchContext, decideBatch, evolveBatch, initialBatchState } from './batch.decider';
import type { BatchEvent, BatchMined, BatchShipped } from './batch.events';

const spec = deciderSpec({ decide: decideBatch, evolve: evolveBatch, initialState: initialBatchState });

const org = (
  orgId: string,
  country: string,
  ...facilities: [string, 'mine' | 'processing_plant'][]
): OrganisationState =>
  [
    { type: 'OrganisationRegistered', data: { orgId, name: orgId, country, roles: ['producer'] } },
    ...facilities.map(([facilityId, kind]): OrganisationEvent => ({
      type: 'FacilityRegistered',
      data: { orgId, facilityId, kind, name: facilityId, country },
    })),
  ].reduce<OrganisationState>(
    (state, event) => evolveOrganisation(state, event as OrganisationEvent),
    initialOrganisationState(),
  );

const organisations = new Map([
  ['mineco', org('mineco', 'AU', ['mt-weld', 'mine'], ['depot', 'processing_plant'])],
  ['refco', org('refco', 'MY', ['kuantan', 'processing_plant'])],
]);
const as = (orgId: string, ...roles: Actor['roles'][number][]): BatchContext => ({
  actor: { orgId, keyId: `${orgId}-key`, roles },
  recordedAt: '2026-03-01T00:00:00Z',
  organisations,
});
const miner = as('mineco', 'producer');
const refiner = as('refco', 'producer');
const regulator = as('customs', 'regulator');

const mined: BatchMined = {
  type: 'BatchMined',
  data: {
    batchId: 'b1',
    orgId: 'mineco',
    facilityId: 'mt-weld',
    material: { form: 'concentrate', elements: ['Nd', 'Pr'] },
    massGrams: 1_000_000,
    occurredAt: '2026-01-10T08:00:00Z',
  },
};
const shipped: BatchShipped = {
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
const held: BatchEvent = {
  type: 'BatchHeld',
  data: { batchId: 'b1', authorityOrgId: 'customs', reason: 'audit', occurredAt: '2026-01-11T00:00:00Z' },
};
const ship = (shipmentId = 's1') => ({
  type: 'ShipBatch' as const,
  data: {
    batchId: 'b1',
    shipmentId,
    toOrgId: 'refco',
    toFacilityId: 'kuantan',
    documents: [],
    occurredAt: '2026-01-12T08:00:00Z',
  },
});
const receive = (receivedMassGrams: number, occurredAt = '2026-01-20T08:00:00Z') => ({
  type: 'ReceiveBatch' as const,
  data: { batchId: 'b1', shipmentId: 's1', receivedMassGrams, occurredAt },
});

describe('batch decider', () => {
  describe('MineBatch', () => {
    const mine = (facilityId = 'mt-weld', massGrams = 1_000_000) => ({
      type: 'MineBatch' as const,
      data: {
        batchId: 'b1',
        facilityId,
        material: mined.data.material,
        massGrams,
        occurredAt: mined.data.occurredAt,
      },
    });
    it('records a new batch at one of the actor’s mines', () => spec([]).when(mine(), miner).then([mined]));
    it('refuses a batch id that exists', () =>
      spec([mined]).when(mine(), miner).thenRefuses('BATCH_ALREADY_EXISTS'));
    it('refuses a facility that is not a mine', () =>
      spec([]).when(mine('depot'), miner).thenRefuses('FACILITY_NOT_A_MINE'));
    it('refuses another organisation’s facility', () =>
      spec([]).when(mine('mt-weld'), refiner).thenRefuses('FACILITY_NOT_FOUND'));
    it('refuses zero mass', () => spec([]).when(mine('mt-weld', 0), miner).thenRefuses('MASS_NOT_POSITIVE'));
    it('refuses an actor without the producer role', () =>
      spec([]).when(mine(), as('mineco', 'certifier')).thenRefuses('ROLE_REQUIRED'));
    it('refuses an occurredAt in the future of the ledger clock', () =>
      spec([])
        .when({ ...mine(), data: { ...mine().data, occurredAt: '2026-03-01T01:00:00Z' } }, miner)
        .thenRefuses('OCCURRED_IN_FUTURE'));
  });

  describe('ShipBatch', () => {
    it('ships the whole remaining lot from the custodian’s facility', () =>
      spec([mined]).when(ship(), miner).then([shipped]));
    it('refuses a batch that is not in the actor’s custody', () =>
      spec([mined]).when(ship(), refiner).thenRefuses('BATCH_NOT_IN_CUSTODY'));
    it('refuses a held batch', () => spec([mined, held]).when(ship(), miner).thenRefuses('BATCH_HELD'));
    it('refuses a second shipment while one is open (a conflict)', () =>
      spec([mined, shipped]).when(ship('s2'), miner).thenRefuses('BATCH_IN_TRANSIT'));
    it('refuses a shipment id already used', () =>
      spec([mined, shipped]).when(ship('s1'), miner).thenRefuses('SHIPMENT_ALREADY_RECORDED'));
    it('refuses an unknown destination facility', () =>
      spec([mined])
        .when({ ...ship(), data: { ...ship().data, toFacilityId: 'nowhere' } }, miner)
        .thenRefuses('FACILITY_NOT_FOUND'));
    it('refuses an unknown batch', () => spec([]).when(ship(), miner).thenRefuses('BATCH_NOT_FOUND'));
    it('ships again once released from a hold', () =>
      spec([mined, held, { type: 'BatchReleased', data: { ...held.data, reason: 'cleared' } }])
        .when(ship(), miner)
        .then([shipped]));
  });

  describe('ReceiveBatch', () => {
    it('records the receipt with the shortfall', () =>
      spec([mined, shipped])
        .when(receive(999_500), refiner)
        .then([
          {
            type: 'BatchReceived',
            data: {
              batchId: 'b1',
              shipmentId: 's1',
              orgId: 'refco',
              facilityId: 'kuantan',
              receivedMassGrams: 999_500,
              discrepancyGrams: 500,
              occurredAt: '2026-01-20T08:00:00Z',
            },
          },
        ]));
    it('refuses a receipt by someone the shipment is not addressed to', () =>
      spec([mined, shipped]).when(receive(1_000_000), miner).thenRefuses('SHIPMENT_NOT_ADDRESSED_TO_ACTOR'));
    it('refuses more mass than was shipped', () =>
      spec([mined, shipped]).when(receive(1_000_001), refiner).thenRefuses('RECEIVED_MASS_EXCEEDS_SHIPPED'));
    it('refuses a receipt before the shipment left', () =>
      spec([mined, shipped])
        .when(receive(1_000_000, '2026-01-11T00:00:00Z'), refiner)
        .thenRefuses('OCCURRED_BEFORE_PREVIOUS_EVENT'));
    it('refuses an unknown shipment', () =>
      spec([mined]).when(receive(1), refiner).thenRefuses('SHIPMENT_NOT_FOUND'));
    it('hands custody to the consignee, who may then ship it on', () => {
      const state = [
        mined,
        shipped,
        ...decideBatch(receive(999_500), [mined, shipped].reduce(evolveBatch, initialBatchState()), refiner),
      ].reduce(evolveBatch, initialBatchState());
      expect(state).toMatchObject({
        status: 'in_custody',
        custodian: { orgId: 'refco', facilityId: 'kuantan' },
        remainingGrams: 999_500,
      });
    });
  });

  describe('HoldBatch and ReleaseBatch', () => {
    const hold = {
      type: 'HoldBatch' as const,
      data: { batchId: 'b1', reason: 'audit', occurredAt: '2026-01-11T00:00:00Z' },
    };
    const release = { type: 'ReleaseBatch' as const, data: { ...hold.data, reason: 'cleared' } };
    it('lets a regulator hold a batch', () => spec([mined]).when(hold, regulator).then([held]));
    it('refuses a hold by a producer', () => spec([mined]).when(hold, miner).thenRefuses('ROLE_REQUIRED'));
    it('refuses holding a held batch', () =>
      spec([mined, held]).when(hold, regulator).thenRefuses('BATCH_ALREADY_HELD'));
    it('refuses releasing a batch that is not held', () =>
      spec([mined]).when(release, regulator).thenRefuses('BATCH_NOT_HELD'));
    it('releases a held batch', () =>
      spec([mined, held])
        .when(release, regulator)
        .then([{ type: 'BatchReleased', data: { ...held.data, reason: 'cleared' } }]));
  });

  describe('AssayBatch', () => {
    const assay = {
      type: 'AssayBatch' as const,
      data: {
        batchId: 'b1',
        assayId: 'a1',
        lab: 'ALS',
        method: 'ICP-MS',
        grade: { TREO: 41.2 },
        occurredAt: '2026-01-11T00:00:00Z',
      },
    };
    const assayed = { type: 'BatchAssayed' as const, data: { ...assay.data, byOrgId: 'mineco' } };
    it('lets the custodian record an assay', () => spec([mined]).when(assay, miner).then([assayed]));
    it('lets a certifier record an assay', () =>
      spec([mined])
        .when(assay, as('irma', 'certifier'))
        .then([{ ...assayed, data: { ...assayed.data, byOrgId: 'irma' } }]));
    it('refuses a producer who is not the custodian', () =>
      spec([mined]).when(assay, refiner).thenRefuses('NOT_CUSTODIAN_OR_CERTIFIER'));
    it('refuses the same assay id twice', () =>
      spec([mined, assayed]).when(assay, miner).thenRefuses('ASSAY_ALREADY_RECORDED'));
  });
});
