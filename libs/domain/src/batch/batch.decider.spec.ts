import { BACKFILL, refusal } from '../spec-support';
import { type Decider, InMemoryStreams, type Issued } from '../decider';
import type { CertificateSubject } from '../certificate/certificate.events';
import { engagementIdOf } from '../engagement/engagement.state';
import type { OrganisationEvent } from '../organisation/organisation.events';
import type { Actor } from '../shared/actor';
import type { RefusalCode } from '../shared/domain-error';
import { assayBatch, holdBatch, mineBatch, receiveBatch, releaseBatch, shipBatch } from './batch.decider';
import type { BatchEvent, BatchMined, BatchShipped } from './batch.events';

const org = (
  orgId: string,
  country: string,
  ...facilities: [string, 'mine' | 'processing_plant'][]
): OrganisationEvent[] => [
  { type: 'OrganisationRegistered', data: { orgId, name: orgId, country, roles: ['producer'] } },
  ...facilities.map(([facilityId, kind]): OrganisationEvent => ({
    type: 'FacilityRegistered',
    data: { orgId, facilityId, kind, name: facilityId, country },
  })),
];

const as = (orgId: string, ...roles: Actor['roles'][number][]): Actor => ({
  orgId,
  keyId: `${orgId}-key`,
  roles,
});
const miner = as('mineco', 'producer');
const refiner = as('refco', 'producer');
const regulator = as('customs', 'regulator');

const issued = <Command>(command: Command, actor: Actor): Issued<Command> => ({
  ...command,
  metadata: { actor, recordedAt: '2026-03-01T00:00:00Z', policy: BACKFILL },
});

/** The ledger of these specs: MineCo and RefCo with their facilities, and batch b1 with `given` events. */
const ledger = (given: readonly BatchEvent[]) =>
  new InMemoryStreams()
    .given(
      'organisations',
      'mineco',
      ...org('mineco', 'AU', ['mt-weld', 'mine'], ['depot', 'processing_plant']),
    )
    .given('organisations', 'refco', ...org('refco', 'MY', ['kuantan', 'processing_plant']))
    .given('organisations', 'customs', ...org('customs', 'AU'))
    .given('organisations', 'ags', ...org('ags', 'AU'))
    .given('organisations', 'customs-my', ...org('customs-my', 'MY'))
    .given('batches', 'b1', ...given);

/** Given b1's events, when an actor issues a command, then exactly these events on b1, or a refusal. */
const spec = (given: readonly BatchEvent[]) => ({
  when: <Command>(decider: Decider<Command>, command: Command, actor: Actor) => {
    const run = () => ledger(given).decide(decider, issued(command, actor));
    return {
      then: (events: readonly BatchEvent[]) => expect(run()).toEqual([{ stream: 'batch-b1', events }]),
      thenRefuses: (code: RefusalCode) => expect(refusal(run).code).toBe(code),
      refusal: () => refusal(run),
    };
  },
});

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
  data: {
    batchId: 'b1',
    authorityOrgId: 'customs',
    authorityCountry: 'AU',
    reason: 'audit',
    occurredAt: '2026-01-11T00:00:00Z',
  },
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

describe('batch deciders', () => {
  describe('mineBatch', () => {
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
    it('records a new batch at one of the actor’s mines, with the mine’s country (BatchMined v2)', () =>
      spec([])
        .when(mineBatch, mine(), miner)
        .then([{ ...mined, data: { ...mined.data, country: 'AU' } }]));
    it('refuses a batch id that exists', () =>
      spec([mined]).when(mineBatch, mine(), miner).thenRefuses('BATCH_ALREADY_EXISTS'));
    it('refuses a facility that is not a mine', () =>
      spec([]).when(mineBatch, mine('depot'), miner).thenRefuses('FACILITY_NOT_A_MINE'));
    it('refuses another organisation’s facility', () =>
      spec([]).when(mineBatch, mine('mt-weld'), refiner).thenRefuses('FACILITY_NOT_FOUND'));
    it('refuses a facility that does not exist', () =>
      spec([]).when(mineBatch, mine('nowhere'), miner).thenRefuses('FACILITY_NOT_FOUND'));
    it('refuses zero mass', () =>
      spec([]).when(mineBatch, mine('mt-weld', 0), miner).thenRefuses('MASS_NOT_POSITIVE'));
    it.each(['certifier', 'regulator'] as const)('refuses a %s, who lacks the producer role', (role) =>
      spec([]).when(mineBatch, mine(), as('mineco', role)).thenRefuses('ROLE_REQUIRED'),
    );
    it('refuses an occurredAt in the future of the ledger clock', () =>
      spec([])
        .when(mineBatch, { ...mine(), data: { ...mine().data, occurredAt: '2026-03-01T01:00:00Z' } }, miner)
        .thenRefuses('OCCURRED_IN_FUTURE'));
  });

  describe('shipBatch', () => {
    it('ships the whole remaining lot from the custodian’s facility', () =>
      spec([mined]).when(shipBatch, ship(), miner).then([shipped]));
    it('refuses a batch that is not in the actor’s custody', () =>
      spec([mined]).when(shipBatch, ship(), refiner).thenRefuses('BATCH_NOT_IN_CUSTODY'));
    it('refuses a held batch', () =>
      spec([mined, held]).when(shipBatch, ship(), miner).thenRefuses('BATCH_HELD'));
    it('refuses a second shipment while one is open (a conflict)', () =>
      expect(spec([mined, shipped]).when(shipBatch, ship('s2'), miner).refusal()).toMatchObject({
        code: 'BATCH_IN_TRANSIT',
        kind: 'conflict',
      }));
    it('refuses a shipment id already used', () =>
      spec([mined, shipped]).when(shipBatch, ship('s1'), miner).thenRefuses('SHIPMENT_ALREADY_RECORDED'));
    it('refuses an unknown destination facility', () =>
      spec([mined])
        .when(shipBatch, { ...ship(), data: { ...ship().data, toFacilityId: 'nowhere' } }, miner)
        .thenRefuses('FACILITY_NOT_FOUND'));
    it('refuses an unknown destination organisation', () =>
      spec([mined])
        .when(shipBatch, { ...ship(), data: { ...ship().data, toOrgId: 'ghost' } }, miner)
        .thenRefuses('ORGANISATION_NOT_FOUND'));
    it('refuses an unknown batch', () =>
      spec([]).when(shipBatch, ship(), miner).thenRefuses('BATCH_NOT_FOUND'));
    it('ships again once released from a hold', () =>
      spec([mined, held, { type: 'BatchReleased', data: { ...held.data, reason: 'cleared' } }])
        .when(shipBatch, ship(), miner)
        .then([shipped]));
  });

  describe('receiveBatch', () => {
    it('records the receipt with the shortfall', () =>
      spec([mined, shipped])
        .when(receiveBatch, receive(999_500), refiner)
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
      spec([mined, shipped])
        .when(receiveBatch, receive(1_000_000), miner)
        .thenRefuses('SHIPMENT_NOT_ADDRESSED_TO_ACTOR'));
    it('refuses more mass than was shipped', () =>
      spec([mined, shipped])
        .when(receiveBatch, receive(1_000_001), refiner)
        .thenRefuses('RECEIVED_MASS_EXCEEDS_SHIPPED'));
    it('refuses a receipt before the shipment left', () =>
      spec([mined, shipped])
        .when(receiveBatch, receive(1_000_000, '2026-01-11T00:00:00Z'), refiner)
        .thenRefuses('OCCURRED_BEFORE_PREVIOUS_EVENT'));
    it('refuses an unknown shipment', () =>
      spec([mined]).when(receiveBatch, receive(1), refiner).thenRefuses('SHIPMENT_NOT_FOUND'));
    it('hands custody to the consignee, who may then ship it on', () => {
      const streams = ledger([mined, shipped]);
      streams.decide(receiveBatch, issued(receive(999_500), refiner));
      expect(streams.stateOf('batches', 'b1')).toMatchObject({
        status: 'in_custody',
        custodian: { orgId: 'refco', facilityId: 'kuantan' },
        remainingGrams: 999_500,
      });
    });
  });

  describe('holdBatch and releaseBatch', () => {
    const hold = {
      type: 'HoldBatch' as const,
      data: { batchId: 'b1', reason: 'audit', occurredAt: '2026-01-11T00:00:00Z' },
    };
    const release = { type: 'ReleaseBatch' as const, data: { ...hold.data, reason: 'cleared' } };
    it('lets a regulator hold a batch', () => spec([mined]).when(holdBatch, hold, regulator).then([held]));
    it('refuses a hold by a producer', () =>
      spec([mined]).when(holdBatch, hold, miner).thenRefuses('ROLE_REQUIRED'));
    it('refuses holding a held batch', () =>
      spec([mined, held]).when(holdBatch, hold, regulator).thenRefuses('BATCH_ALREADY_HELD'));
    it('refuses releasing a batch that is not held', () =>
      spec([mined]).when(releaseBatch, release, regulator).thenRefuses('BATCH_NOT_HELD'));
    it('releases a held batch', () =>
      spec([mined, held])
        .when(releaseBatch, release, regulator)
        .then([
          {
            type: 'BatchReleased',
            data: {
              batchId: 'b1',
              authorityOrgId: 'customs',
              reason: 'cleared',
              occurredAt: hold.data.occurredAt,
            },
          },
        ]));

    describe('jurisdiction', () => {
      const customsMy = as('customs-my', 'regulator');
      const ags = as('ags', 'regulator');
      it('refuses a hold on a batch at a facility outside the regulator’s country', () =>
        spec([mined]).when(holdBatch, hold, customsMy).thenRefuses('OUTSIDE_JURISDICTION'));
      it('holds a batch in transit by the country it left, not the one it goes to', () => {
        spec([mined, shipped]).when(holdBatch, hold, customsMy).thenRefuses('OUTSIDE_JURISDICTION');
        spec([mined, shipped]).when(holdBatch, hold, regulator).then([held]);
      });
      it('holds a received batch by the country of the facility it is at', () => {
        const received: BatchEvent = {
          type: 'BatchReceived',
          data: {
            batchId: 'b1',
            shipmentId: 's1',
            receivedMassGrams: 1_000_000,
            orgId: 'refco',
            facilityId: 'kuantan',
            discrepancyGrams: 0,
            occurredAt: '2026-01-11T00:00:00Z',
          },
        };
        spec([mined, shipped, received]).when(holdBatch, hold, regulator).thenRefuses('OUTSIDE_JURISDICTION');
        spec([mined, shipped, received])
          .when(holdBatch, { ...hold, data: { ...hold.data, occurredAt: '2026-01-12T00:00:00Z' } }, customsMy)
          .then([
            {
              type: 'BatchHeld',
              data: {
                ...held.data,
                authorityOrgId: 'customs-my',
                authorityCountry: 'MY',
                occurredAt: '2026-01-12T00:00:00Z',
              },
            },
          ]);
      });
      it('lets another regulator of the holding authority’s country release, not one of another', () => {
        spec([mined, held]).when(releaseBatch, release, customsMy).thenRefuses('NOT_HOLDING_AUTHORITY');
        spec([mined, held])
          .when(releaseBatch, release, ags)
          .then([
            {
              type: 'BatchReleased',
              data: {
                batchId: 'b1',
                authorityOrgId: 'ags',
                reason: 'cleared',
                occurredAt: hold.data.occurredAt,
              },
            },
          ]);
      });
      it('finds the country of a hold recorded without one from the holding authority’s organisation', () => {
        const { authorityCountry: _country, ...legacy } = held.data as typeof held.data & {
          authorityCountry?: string;
        };
        const legacyHeld: BatchEvent = { type: 'BatchHeld', data: legacy };
        spec([mined, legacyHeld]).when(releaseBatch, release, customsMy).thenRefuses('NOT_HOLDING_AUTHORITY');
        expect(spec([mined, legacyHeld]).when(releaseBatch, release, ags).refusal).toThrow('was not refused');
      });
    });
  });

  describe('assayBatch', () => {
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
    it('lets the custodian record an assay', () =>
      spec([mined]).when(assayBatch, assay, miner).then([assayed]));
    const irma = as('irma', 'certifier');
    const engaged = (subject: CertificateSubject, validUntil = '2027-01-01T00:00:00Z') =>
      ledger([mined]).given('engagements', engagementIdOf('irma', subject), {
        type: 'CertifierEngaged',
        data: {
          certifierOrgId: 'irma',
          subject,
          certificateId: 'c1',
          validFrom: '2026-01-01T00:00:00Z',
          validUntil,
        },
      });
    it('lets a certifier engaged on the custodian organisation, or its facility, record an assay', () => {
      for (const subject of [
        { type: 'organisation' as const, id: 'mineco' },
        { type: 'facility' as const, id: 'mt-weld', orgId: 'mineco' },
      ]) {
        expect(engaged(subject).decide(assayBatch, issued(assay, irma))).toEqual([
          { stream: 'batch-b1', events: [{ ...assayed, data: { ...assayed.data, byOrgId: 'irma' } }] },
        ]);
      }
    });
    it('refuses a certifier not engaged on the custodian', () => {
      spec([mined]).when(assayBatch, assay, irma).thenRefuses('CERTIFIER_NOT_ENGAGED');
      const elsewhere = engaged({ type: 'organisation', id: 'refco' });
      expect(refusal(() => elsewhere.decide(assayBatch, issued(assay, irma))).code).toBe(
        'CERTIFIER_NOT_ENGAGED',
      );
    });
    it('refuses a certifier whose certificate is expired at the assay, or revoked', () => {
      const expired = engaged({ type: 'organisation', id: 'mineco' }, '2026-01-05T00:00:00Z');
      expect(refusal(() => expired.decide(assayBatch, issued(assay, irma))).code).toBe(
        'CERTIFIER_NOT_ENGAGED',
      );
      const revoked = engaged({ type: 'organisation', id: 'mineco' }).given(
        'engagements',
        engagementIdOf('irma', { type: 'organisation', id: 'mineco' }),
        {
          type: 'CertifierEngagementChanged',
          data: { certifierOrgId: 'irma', certificateId: 'c1', status: 'revoked' },
        },
      );
      expect(refusal(() => revoked.decide(assayBatch, issued(assay, irma))).code).toBe(
        'CERTIFIER_NOT_ENGAGED',
      );
    });
    it('refuses an assay dated inside a suspension since reinstated, and takes one dated outside it', () => {
      const subject = { type: 'organisation' as const, id: 'mineco' };
      const change = (status: 'suspended' | 'valid', occurredAt?: string) => ({
        type: 'CertifierEngagementChanged' as const,
        data: { certifierOrgId: 'irma', certificateId: 'c1', status, ...(occurredAt ? { occurredAt } : {}) },
      });
      // Suspended from noon on 10 January to 20 January, reinstated since: the assay of the 11th fell in the suspension.
      const reinstated = engaged(subject)
        .given('engagements', engagementIdOf('irma', subject), change('suspended', '2026-01-10T12:00:00Z'))
        .given('engagements', engagementIdOf('irma', subject), change('valid', '2026-01-20T00:00:00Z'));
      expect(refusal(() => reinstated.decide(assayBatch, issued(assay, irma))).code).toBe(
        'CERTIFIER_NOT_ENGAGED',
      );
      const after = { ...assay, data: { ...assay.data, assayId: 'a2', occurredAt: '2026-01-20T00:00:00Z' } };
      expect(reinstated.decide(assayBatch, issued(after, irma))).toHaveLength(1);
      const before = { ...assay, data: { ...assay.data, assayId: 'a3', occurredAt: '2026-01-10T11:59:59Z' } };
      expect(reinstated.decide(assayBatch, issued(before, irma))).toHaveLength(1);
      // Changes recorded before their time was kept name no period: judged, as then, by status alone.
      const legacy = engaged(subject)
        .given('engagements', engagementIdOf('irma', subject), change('suspended'))
        .given('engagements', engagementIdOf('irma', subject), change('valid'));
      expect(legacy.decide(assayBatch, issued(assay, irma))).toHaveLength(1);
    });
    it('refuses a producer who is not the custodian', () =>
      spec([mined]).when(assayBatch, assay, refiner).thenRefuses('NOT_CUSTODIAN_OR_CERTIFIER'));
    it('refuses the same assay id twice', () =>
      spec([mined, assayed]).when(assayBatch, assay, miner).thenRefuses('ASSAY_ALREADY_RECORDED'));
  });

  describe('the recording window (ADR 0017)', () => {
    const thirtyDays = { maxRecordingDelayMs: 30 * 24 * 60 * 60 * 1000 };
    const recorded = <Command>(command: Command, actor: Actor, recordedAt: string): Issued<Command> => ({
      ...command,
      metadata: { actor, recordedAt, policy: thirtyDays },
    });
    const mineOn = (occurredAt: string) => ({
      type: 'MineBatch' as const,
      data: {
        batchId: 'b2',
        facilityId: 'mt-weld',
        material: { form: 'concentrate' as const, elements: ['Nd' as const] },
        massGrams: 1000,
        occurredAt,
      },
    });

    it('refuses a producer’s report recorded more than the window after it occurred, writing nothing', () => {
      const streams = ledger([mined]);
      const late = recorded(mineOn('2026-01-01T00:00:00Z'), miner, '2026-01-31T00:00:01Z');
      expect(refusal(() => streams.decide(mineBatch, late))).toMatchObject({
        code: 'RECORDED_TOO_LATE',
        kind: 'rule',
        details: { maxRecordingDelayMs: thirtyDays.maxRecordingDelayMs },
      });
      expect(refusal(() => streams.decide(mineBatch, late)).message).toContain('30 days');
      expect(streams.stateOf('batches', 'b2').exists).toBe(false);
    });

    it('accepts a report exactly at the edge of the window', () => {
      const edge = recorded(mineOn('2026-01-01T00:00:00Z'), miner, '2026-01-31T00:00:00Z');
      expect(ledger([mined]).decide(mineBatch, edge)).toHaveLength(1);
    });

    it('still refuses an occurredAt in the future first (one rule for both ends)', () => {
      const future = recorded(mineOn('2026-02-01T00:10:00Z'), miner, '2026-02-01T00:00:00Z');
      expect(refusal(() => ledger([mined]).decide(mineBatch, future)).code).toBe('OCCURRED_IN_FUTURE');
    });

    it('lets a regulator record a hold it learns of long after', () => {
      const hold = {
        type: 'HoldBatch' as const,
        data: { batchId: 'b1', reason: 'audit', occurredAt: '2026-01-11T00:00:00Z' },
      };
      expect(ledger([mined]).decide(holdBatch, recorded(hold, regulator, '2026-11-29T00:00:00Z'))).toEqual([
        { stream: 'batch-b1', events: [held] },
      ]);
    });

    it('bounds a receipt and a shipment too', () => {
      const shipLate = recorded(ship(), miner, '2026-03-01T00:00:00Z');
      expect(refusal(() => ledger([mined]).decide(shipBatch, shipLate)).code).toBe('RECORDED_TOO_LATE');
      const receiveLate = recorded(receive(1_000_000), refiner, '2026-03-01T00:00:00Z');
      expect(refusal(() => ledger([mined, shipped]).decide(receiveBatch, receiveLate)).code).toBe(
        'RECORDED_TOO_LATE',
      );
    });
  });
});
