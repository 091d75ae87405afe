import { InMemoryStreams, type Issued, type StreamEvents } from '../decider';
import type { BatchEvent } from '../batch/batch.events';
import type { LicenceEvent } from '../licence/licence.events';
import type { TransformationRecorded } from '../transformation/transformation.events';
import type { Actor } from '../shared/actor';
import { BACKFILL, refusal } from '../spec-support';
import { type CorrectEvent, correctEvent } from './correction.decider';

// Corrections that flow downstream (ADR 0024): masses, times and emissions of mined lots, receipts,
// transformations, splits, blends and exports, and what follows from them on every stream they reach.

const producer = (orgId: string): Actor => ({ orgId, keyId: 'k', roles: ['producer'] });
const miner = producer('mineco');
const trader = producer('trader');
const issued = (command: CorrectEvent, actor: Actor): Issued<CorrectEvent> => ({
  ...command,
  metadata: { actor, recordedAt: '2026-03-30T00:00:00Z', policy: BACKFILL },
});
const concentrate = { form: 'concentrate' } as const;

const mined = (batchId: string, massGrams: number): BatchEvent => ({
  type: 'BatchMined',
  data: {
    batchId,
    orgId: 'mineco',
    facilityId: 'mine',
    material: concentrate,
    massGrams,
    extractionEmissionsKgCo2e: 1000,
    occurredAt: '2026-03-01T00:00:00Z',
  },
});
const shipped = (batchId: string, massGrams: number): BatchEvent => ({
  type: 'BatchShipped',
  data: {
    batchId,
    shipmentId: `s-${batchId}`,
    fromOrgId: 'mineco',
    fromFacilityId: 'mine',
    toOrgId: 'trader',
    toFacilityId: 'yard',
    massGrams,
    documents: [],
    occurredAt: '2026-03-06T00:00:00Z',
  },
});
const received = (batchId: string, receivedMassGrams: number, discrepancyGrams: number): BatchEvent => ({
  type: 'BatchReceived',
  data: {
    batchId,
    shipmentId: `s-${batchId}`,
    orgId: 'trader',
    facilityId: 'yard',
    receivedMassGrams,
    discrepancyGrams,
    occurredAt: '2026-03-08T00:00:00Z',
  },
});
const granted: LicenceEvent = {
  type: 'LicenceGranted',
  data: {
    licenceId: 'L1',
    holderOrgId: 'mineco',
    authorityOrgId: 'customs',
    type: 'single',
    items: [{ form: 'concentrate', elements: [] }],
    destinations: ['JP'],
    quantityGrams: 12_000_000,
    validFrom: '2026-01-01T00:00:00Z',
    validUntil: '2026-12-31T00:00:00Z',
    occurredAt: '2026-01-01T00:00:00Z',
  },
};
const exported = (batchId: string, massGrams: number): BatchEvent => ({
  type: 'BatchExported',
  data: {
    batchId,
    exportId: 'X1',
    licenceId: 'L1',
    orgId: 'mineco',
    facilityId: 'mine',
    massGrams,
    destinationCountry: 'JP',
    consignee: 'Magnet Co',
    endUser: 'Magnet Co',
    hsCode: '2530.90',
    customsDeclarationNo: 'CD-1',
    port: 'AUFRE',
    occurredAt: '2026-03-07T00:00:00Z',
  },
});
const drawn = (batchId: string, massGrams: number): LicenceEvent => ({
  type: 'LicenceDrawnDown',
  data: {
    licenceId: 'L1',
    exportId: 'X1',
    batchId,
    massGrams,
    drawnGrams: massGrams,
    destinationCountry: 'JP',
    occurredAt: '2026-03-07T00:00:00Z',
  },
});

const ledger = () =>
  new InMemoryStreams()
    .given('organisations', 'mineco', {
      type: 'OrganisationRegistered',
      data: { orgId: 'mineco', name: 'Mine Co', country: 'AU', roles: ['producer'] },
    })
    .given('organisations', 'trader', {
      type: 'OrganisationRegistered',
      data: { orgId: 'trader', name: 'Trader', country: 'SG', roles: ['producer'] },
    });

const correct = (
  eventId: string,
  stream: { batchId: string } | { transformationId: string },
  changes: Record<string, unknown>,
): CorrectEvent => ({
  type: 'CorrectEvent',
  data: { correctionId: 'c1', eventId, ...stream, reason: 'weighbridge', changes },
});

/** Each written stream's EventCorrected data, by stream. */
const written = (writes: StreamEvents[]) =>
  Object.fromEntries(writes.map(({ stream, events }) => [stream, events.map((event) => event.data)]));

/** Every stream's state, to show a refusal wrote nothing. */
const snapshot = (streams: InMemoryStreams, batches: string[]) =>
  JSON.stringify(
    [
      ...batches.map((id) => streams.stateOf('batches', id)),
      streams.stateOf('licences', 'L1'),
      streams.stateOf('transformations', 'T1'),
    ],
    (_key, value: unknown) => (value instanceof Set || value instanceof Map ? [...value] : value),
  );

describe('correctEvent, downstream', () => {
  it('a mined mass corrected after a whole-lot shipment: the shipment carries the difference, the receipt keeps its weight', () => {
    const streams = ledger().given(
      'batches',
      'b1',
      mined('b1', 10_000_000),
      shipped('b1', 10_000_000),
      received('b1', 9_900_000, 100_000),
    );
    const writes = streams.decide(
      correctEvent,
      issued(correct('batch-b1@0', { batchId: 'b1' }, { massKg: 10_500 }), miner),
    );
    expect(written(writes)['batch-b1']![0]).toMatchObject({
      corrected: { massGrams: 10_500_000 },
      downstream: [
        {
          eventType: 'BatchShipped',
          corrected: { massGrams: 10_500_000 },
          previous: { massGrams: 10_000_000 },
        },
        {
          eventType: 'BatchReceived',
          corrected: { discrepancyGrams: 600_000 },
          previous: { discrepancyGrams: 100_000 },
        },
      ],
    });
    // What arrived was weighed: the lot's mass from the receipt on does not change.
    expect(streams.stateOf('batches', 'b1')).toMatchObject({
      massGrams: 10_500_000,
      remainingGrams: 9_900_000,
    });
  });

  it('a mined mass corrected while the lot is in transit: the open shipment carries it', () => {
    const streams = ledger().given('batches', 'b1', mined('b1', 10_000_000), shipped('b1', 10_000_000));
    streams.decide(correctEvent, issued(correct('batch-b1@0', { batchId: 'b1' }, { massKg: 9_000 }), miner));
    expect(streams.stateOf('batches', 'b1')).toMatchObject({
      status: 'in_transit',
      remainingGrams: 9_000_000,
      openShipment: { massGrams: 9_000_000 },
    });
  });

  it('refuses a mined mass below what the shipment’s receipt weighed, naming both, writing nothing', () => {
    const streams = ledger().given(
      'batches',
      'b1',
      mined('b1', 10_000_000),
      shipped('b1', 10_000_000),
      received('b1', 9_900_000, 100_000),
    );
    const before = snapshot(streams, ['b1']);
    const refused = refusal(() =>
      streams.decide(
        correctEvent,
        issued(correct('batch-b1@0', { batchId: 'b1' }, { massKg: 9_000 }), miner),
      ),
    );
    expect(refused.code).toBe('CORRECTION_BREAKS_DEPENDENTS');
    expect(refused.details).toMatchObject({
      dependentEvents: [
        { eventId: 'batch-b1@1', type: 'BatchShipped' },
        { eventId: 'batch-b1@2', type: 'BatchReceived' },
      ],
    });
    expect(snapshot(streams, ['b1'])).toBe(before);
  });

  describe('after a whole-lot export', () => {
    const exportedLedger = () =>
      ledger()
        .given('batches', 'b1', mined('b1', 10_000_000), exported('b1', 10_000_000))
        .given('licences', 'L1', granted, drawn('b1', 10_000_000));

    it('the export carries the corrected mass and the licence’s drawn quantity follows', () => {
      const streams = exportedLedger();
      const writes = written(
        streams.decide(
          correctEvent,
          issued(correct('batch-b1@0', { batchId: 'b1' }, { massKg: 11_000 }), miner),
        ),
      );
      expect(writes['batch-b1']![0]).toMatchObject({
        downstream: [{ eventType: 'BatchExported', exportId: 'X1', corrected: { massGrams: 11_000_000 } }],
      });
      expect(writes['licence-L1']![0]).toEqual({
        licenceId: 'L1',
        correctionId: 'c1',
        byOrgId: 'mineco',
        reason: 'weighbridge',
        changes: { massKg: 11_000 },
        eventId: 'licence-L1@1',
        eventType: 'LicenceDrawnDown',
        corrected: { massGrams: 11_000_000 },
        previous: { massGrams: 10_000_000 },
        exportId: 'X1',
      });
      expect(streams.stateOf('licences', 'L1')).toMatchObject({ drawnGrams: 11_000_000 });
    });

    it('refuses a mass the licence’s cap cannot cover, naming the export, writing nothing', () => {
      const streams = exportedLedger();
      const before = snapshot(streams, ['b1']);
      const refused = refusal(() =>
        streams.decide(
          correctEvent,
          issued(correct('batch-b1@0', { batchId: 'b1' }, { massKg: 12_000.001 }), miner),
        ),
      );
      expect(refused.code).toBe('CORRECTION_BREAKS_DEPENDENTS');
      expect(refused.details).toMatchObject({
        dependentEvents: [{ eventId: 'batch-b1@1', type: 'BatchExported' }],
        refusedBy: 'LICENCE_EXHAUSTED',
        correctedDrawnGrams: 12_000_001,
      });
      expect(snapshot(streams, ['b1'])).toBe(before);
    });

    it('corrects the export’s customs references and time, the drawdown’s time following', () => {
      const streams = exportedLedger();
      const writes = written(
        streams.decide(
          correctEvent,
          issued(
            correct(
              'batch-b1@1',
              { batchId: 'b1' },
              { customsDeclarationNo: 'CD-2', occurredAt: '2026-03-05T00:00:00Z' },
            ),
            miner,
          ),
        ),
      );
      expect(writes['batch-b1']![0]).toMatchObject({
        exportId: 'X1',
        corrected: { customsDeclarationNo: 'CD-2', occurredAt: '2026-03-05T00:00:00Z' },
      });
      expect(writes['licence-L1']![0]).toMatchObject({ corrected: { occurredAt: '2026-03-05T00:00:00Z' } });
    });

    it('refuses an export time when its licence was not in force', () => {
      const streams = exportedLedger();
      expect(
        refusal(() =>
          streams.decide(
            correctEvent,
            issued(correct('batch-b1@1', { batchId: 'b1' }, { occurredAt: '2025-12-31T00:00:00Z' }), miner),
          ),
        ).code,
      ).toBe('OCCURRED_BEFORE_PREVIOUS_EVENT');
      const suspended = exportedLedger().given('licences', 'L1', {
        type: 'LicenceSuspended',
        data: {
          licenceId: 'L1',
          authorityOrgId: 'customs',
          reason: 'audit',
          occurredAt: '2026-03-04T00:00:00Z',
        },
      });
      expect(
        refusal(() =>
          suspended.decide(
            correctEvent,
            issued(correct('batch-b1@1', { batchId: 'b1' }, { occurredAt: '2026-03-05T00:00:00Z' }), miner),
          ),
        ).details,
      ).toMatchObject({ refusedBy: 'LICENCE_SUSPENDED' });
    });
  });

  describe('a split', () => {
    const splitLedger = () =>
      ledger()
        .given('batches', 'P', mined('P', 25_000_000), {
          type: 'BatchSplit',
          data: {
            batchId: 'P',
            splitId: 'sp',
            orgId: 'mineco',
            facilityId: 'mine',
            outputs: [
              { batchId: 'A', massGrams: 10_000_000 },
              { batchId: 'B', massGrams: 8_000_000 },
            ],
            remainingGrams: 7_000_000,
            occurredAt: '2026-03-02T00:00:00Z',
          },
        })
        .given(
          'batches',
          'A',
          {
            type: 'BatchSplitOff',
            data: {
              batchId: 'A',
              splitId: 'sp',
              fromBatchId: 'P',
              orgId: 'mineco',
              facilityId: 'mine',
              material: concentrate,
              massGrams: 10_000_000,
              occurredAt: '2026-03-02T00:00:00Z',
            },
          },
          shipped('A', 10_000_000),
        )
        .given('batches', 'B', {
          type: 'BatchSplitOff',
          data: {
            batchId: 'B',
            splitId: 'sp',
            fromBatchId: 'P',
            orgId: 'mineco',
            facilityId: 'mine',
            material: concentrate,
            massGrams: 8_000_000,
            occurredAt: '2026-03-02T00:00:00Z',
          },
        });

    it('corrects an output’s mass: the child and what it shipped follow, the parent keeps the rest', () => {
      const streams = splitLedger();
      const writes = written(
        streams.decide(
          correctEvent,
          issued(
            correct('batch-P@1', { batchId: 'P' }, { outputs: [{ batchId: 'A', massKg: 11_000 }] }),
            miner,
          ),
        ),
      );
      expect(Object.keys(writes)).toEqual(['batch-P', 'batch-A']);
      expect(writes['batch-P']![0]).toMatchObject({
        eventType: 'BatchSplit',
        corrected: {
          outputs: [
            { batchId: 'A', massGrams: 11_000_000 },
            { batchId: 'B', massGrams: 8_000_000 },
          ],
          remainingGrams: 6_000_000,
        },
      });
      expect(writes['batch-A']![0]).toMatchObject({
        eventId: 'batch-A@0',
        eventType: 'BatchSplitOff',
        corrected: { massGrams: 11_000_000 },
        downstream: [{ eventType: 'BatchShipped', corrected: { massGrams: 11_000_000 } }],
      });
      expect(streams.stateOf('batches', 'P')).toMatchObject({ remainingGrams: 6_000_000 });
      expect(streams.stateOf('batches', 'A')).toMatchObject({
        massGrams: 11_000_000,
        openShipment: { massGrams: 11_000_000 },
      });
    });

    it('refuses outputs over the parent’s mass, a child’s event, and another organisation, writing nothing', () => {
      const streams = splitLedger();
      const before = snapshot(streams, ['P', 'A', 'B']);
      expect(
        refusal(() =>
          streams.decide(
            correctEvent,
            issued(
              correct('batch-P@1', { batchId: 'P' }, { outputs: [{ batchId: 'B', massKg: 15_000.001 }] }),
              miner,
            ),
          ),
        ).code,
      ).toBe('SPLIT_EXCEEDS_REMAINING');
      const part = refusal(() =>
        streams.decide(correctEvent, issued(correct('batch-B@0', { batchId: 'B' }, { massKg: 1 }), miner)),
      );
      expect(part.code).toBe('EVENT_NOT_CORRECTABLE');
      expect(part.details).toMatchObject({ correct: 'BatchSplit', correctEventId: 'batch-P@1' });
      expect(
        refusal(() =>
          streams.decide(
            correctEvent,
            issued(
              correct('batch-P@1', { batchId: 'P' }, { outputs: [{ batchId: 'B', massKg: 7_000 }] }),
              trader,
            ),
          ),
        ).code,
      ).toBe('NOT_RECORDER');
      expect(
        refusal(() =>
          streams.decide(
            correctEvent,
            issued(correct('batch-P@1', { batchId: 'P' }, { outputs: [{ batchId: 'Z', massKg: 1 }] }), miner),
          ),
        ).code,
      ).toBe('CORRECTION_VALUE_INVALID');
      expect(snapshot(streams, ['P', 'A', 'B'])).toBe(before);
    });
    it('corrects its time on the parent and every child, but not after a child’s later event', () => {
      const streams = splitLedger();
      const writes = written(
        streams.decide(
          correctEvent,
          issued(correct('batch-P@1', { batchId: 'P' }, { occurredAt: '2026-03-01T12:00:00Z' }), miner),
        ),
      );
      expect(Object.keys(writes)).toEqual(['batch-P', 'batch-A', 'batch-B']);
      expect(writes['batch-B']![0]).toMatchObject({
        eventType: 'BatchSplitOff',
        corrected: { occurredAt: '2026-03-01T12:00:00Z' },
        previous: { occurredAt: '2026-03-02T00:00:00Z' },
      });
      expect(streams.stateOf('batches', 'B')).toMatchObject({ originAt: '2026-03-01T12:00:00Z' });
      const late = refusal(() =>
        splitLedger().decide(
          correctEvent,
          issued(correct('batch-P@1', { batchId: 'P' }, { occurredAt: '2026-03-06T00:00:01Z' }), miner),
        ),
      );
      expect(late.code).toBe('CORRECTION_BREAKS_DEPENDENTS');
      expect(late.details).toMatchObject({
        dependentEvents: [{ eventId: 'batch-A@1', type: 'BatchShipped' }],
      });
    });
  });

  describe('a blend', () => {
    const blended = (batchId: string, consumedGrams: number, remainingGrams: number): BatchEvent => ({
      type: 'BatchBlended',
      data: {
        batchId,
        blendId: 'bl',
        orgId: 'mineco',
        facilityId: 'mine',
        consumedGrams,
        remainingGrams,
        outputBatchId: 'BL',
        occurredAt: '2026-03-03T00:00:00Z',
      },
    });
    const blendLedger = () =>
      ledger()
        .given('batches', 'M1', mined('M1', 7_000_000), blended('M1', 7_000_000, 0))
        .given('batches', 'M2', mined('M2', 6_000_000), blended('M2', 5_000_000, 1_000_000))
        .given('batches', 'BL', {
          type: 'BlendProduced',
          data: {
            batchId: 'BL',
            blendId: 'bl',
            orgId: 'mineco',
            facilityId: 'mine',
            inputs: [
              { batchId: 'M1', consumedGrams: 7_000_000 },
              { batchId: 'M2', consumedGrams: 5_000_000 },
            ],
            material: concentrate,
            massGrams: 12_000_000,
            occurredAt: '2026-03-03T00:00:00Z',
          },
        });

    it('corrects a consumed mass: the input keeps the rest, the blend weighs Σ consumed', () => {
      const streams = blendLedger();
      const writes = written(
        streams.decide(
          correctEvent,
          issued(
            correct('batch-BL@0', { batchId: 'BL' }, { inputs: [{ batchId: 'M2', consumedKg: 5_500 }] }),
            miner,
          ),
        ),
      );
      expect(writes['batch-BL']![0]).toMatchObject({
        corrected: { massGrams: 12_500_000 },
        previous: { massGrams: 12_000_000 },
      });
      expect(writes['batch-M2']![0]).toMatchObject({
        eventType: 'BatchBlended',
        corrected: { consumedGrams: 5_500_000, remainingGrams: 500_000 },
      });
      expect(writes['batch-M1']).toBeUndefined();
      expect(streams.stateOf('batches', 'BL')).toMatchObject({
        massGrams: 12_500_000,
        remainingGrams: 12_500_000,
      });
      expect(streams.stateOf('batches', 'M2')).toMatchObject({ remainingGrams: 500_000 });
    });

    it('refuses consuming more than the input had, writing nothing', () => {
      const streams = blendLedger();
      const before = snapshot(streams, ['M1', 'M2', 'BL']);
      expect(
        refusal(() =>
          streams.decide(
            correctEvent,
            issued(
              correct(
                'batch-BL@0',
                { batchId: 'BL' },
                { inputs: [{ batchId: 'M1', consumedKg: 7_000.001 }] },
              ),
              miner,
            ),
          ),
        ).code,
      ).toBe('CONSUMED_MASS_EXCEEDS_REMAINING');
      expect(snapshot(streams, ['M1', 'M2', 'BL'])).toBe(before);
    });
    it('corrects its time on the blend and each input, not before an input came into being', () => {
      const streams = blendLedger();
      const writes = written(
        streams.decide(
          correctEvent,
          issued(correct('batch-BL@0', { batchId: 'BL' }, { occurredAt: '2026-03-02T00:00:00Z' }), miner),
        ),
      );
      expect(Object.keys(writes)).toEqual(['batch-BL', 'batch-M1', 'batch-M2']);
      expect(
        refusal(() =>
          blendLedger().decide(
            correctEvent,
            issued(correct('batch-BL@0', { batchId: 'BL' }, { occurredAt: '2026-02-28T00:00:00Z' }), miner),
          ),
        ).code,
      ).toBe('OCCURRED_BEFORE_PREVIOUS_EVENT');
    });
  });

  describe('a transformation', () => {
    const declaration: TransformationRecorded = {
      type: 'TransformationRecorded',
      data: {
        transformationId: 'T1',
        process: 'solvent_extraction',
        orgId: 'trader',
        facilityId: 'yard',
        inputs: [{ batchId: 'b1', consumedGrams: 9_000_000 }],
        outputs: [
          {
            batchId: 'o1',
            material: { form: 'oxide' },
            massGrams: 3_000_000,
            allocation: { method: 'mass', share: 0.75 },
          },
          {
            batchId: 'o2',
            material: { form: 'oxide' },
            massGrams: 1_000_000,
            allocation: { method: 'mass', share: 0.25 },
          },
        ],
        residues: [{ kind: 'raffinate', massGrams: 4_000_000 }],
        unaccountedLossGrams: 1_000_000,
        processEmissionsKgCo2e: 2000,
        occurredAt: '2026-03-10T00:00:00Z',
      },
    };
    const produced = (batchId: string, massGrams: number, share: number): BatchEvent => ({
      type: 'BatchProduced',
      data: {
        batchId,
        transformationId: 'T1',
        process: 'solvent_extraction',
        orgId: 'trader',
        facilityId: 'yard',
        material: { form: 'oxide' },
        massGrams,
        allocation: { method: 'mass', share },
        occurredAt: '2026-03-10T00:00:00Z',
      },
    });
    const transformed = () =>
      ledger()
        .given('transformations', 'T1', declaration)
        .given(
          'batches',
          'b1',
          mined('b1', 10_000_000),
          shipped('b1', 10_000_000),
          received('b1', 10_000_000, 0),
          {
            type: 'BatchRefined',
            data: {
              batchId: 'b1',
              transformationId: 'T1',
              process: 'solvent_extraction',
              orgId: 'trader',
              facilityId: 'yard',
              consumedGrams: 9_000_000,
              remainingGrams: 1_000_000,
              occurredAt: '2026-03-10T00:00:00Z',
            },
          },
        )
        .given('batches', 'o1', produced('o1', 3_000_000, 0.75))
        .given('batches', 'o2', produced('o2', 1_000_000, 0.25));
    const transformation = (changes: Record<string, unknown>) =>
      correct('transformation-T1@0', { transformationId: 'T1' }, changes);

    it('corrects an output’s mass and the emissions: shares by mass, loss and every lot follow', () => {
      const streams = transformed();
      const writes = written(
        streams.decide(
          correctEvent,
          issued(
            transformation({ outputs: [{ batchId: 'o2', massKg: 2_000 }], processEmissionsKgCo2e: 2500 }),
            trader,
          ),
        ),
      );
      expect(Object.keys(writes)).toEqual(['transformation-T1', 'batch-o1', 'batch-o2']);
      expect(writes['transformation-T1']![0]).toMatchObject({
        transformationId: 'T1',
        eventType: 'TransformationRecorded',
        corrected: {
          processEmissionsKgCo2e: 2500,
          unaccountedLossGrams: 0,
          outputs: [
            { batchId: 'o1', massGrams: 3_000_000, allocation: { method: 'mass', share: 0.6 } },
            { batchId: 'o2', massGrams: 2_000_000, allocation: { method: 'mass', share: 0.4 } },
          ],
        },
      });
      expect(writes['batch-o1']![0]).toMatchObject({ corrected: { allocation: { share: 0.6 } } });
      expect(writes['batch-o2']![0]).toMatchObject({
        corrected: { massGrams: 2_000_000, allocation: { share: 0.4 } },
      });
      expect(streams.stateOf('batches', 'o2')).toMatchObject({ massGrams: 2_000_000 });
      expect(streams.stateOf('transformations', 'T1')).toMatchObject({
        data: { processEmissionsKgCo2e: 2500, unaccountedLossGrams: 0 },
      });
    });

    it('corrects an input’s consumed mass: the input keeps the rest', () => {
      const streams = transformed();
      const writes = written(
        streams.decide(
          correctEvent,
          issued(transformation({ inputs: [{ batchId: 'b1', consumedKg: 9_500 }] }), trader),
        ),
      );
      expect(writes['batch-b1']![0]).toMatchObject({
        eventType: 'BatchRefined',
        corrected: { consumedGrams: 9_500_000, remainingGrams: 500_000 },
      });
      expect(writes['transformation-T1']![0]).toMatchObject({
        corrected: { unaccountedLossGrams: 1_500_000 },
      });
      expect(streams.stateOf('batches', 'b1')).toMatchObject({ remainingGrams: 500_000 });
    });

    it('refuses what breaks the mass balance, a lot’s part, and another organisation, writing nothing', () => {
      const streams = transformed();
      const before = snapshot(streams, ['b1', 'o1', 'o2']);
      const unbalanced = refusal(() =>
        streams.decide(
          correctEvent,
          issued(transformation({ outputs: [{ batchId: 'o1', massKg: 4_000.001 }] }), trader),
        ),
      );
      expect(unbalanced.code).toBe('OUTPUT_MASS_EXCEEDS_CONSUMED');
      expect(
        refusal(() =>
          streams.decide(
            correctEvent,
            issued(transformation({ inputs: [{ batchId: 'b1', consumedKg: 10_000.001 }] }), trader),
          ),
        ).code,
      ).toBe('CONSUMED_MASS_EXCEEDS_REMAINING');
      const part = refusal(() =>
        streams.decide(correctEvent, issued(correct('batch-o1@0', { batchId: 'o1' }, { massKg: 1 }), trader)),
      );
      expect(part.details).toMatchObject({
        correct: 'TransformationRecorded',
        correctEventId: 'transformation-T1@0',
      });
      expect(
        refusal(() =>
          streams.decide(correctEvent, issued(transformation({ processEmissionsKgCo2e: 1 }), miner)),
        ).code,
      ).toBe('NOT_RECORDER');
      expect(
        refusal(() =>
          streams.decide(
            correctEvent,
            issued(transformation({ occurredAt: '2026-02-28T00:00:00Z' }), trader),
          ),
        ).code,
      ).toBe('OCCURRED_BEFORE_PREVIOUS_EVENT');
      expect(snapshot(streams, ['b1', 'o1', 'o2'])).toBe(before);
    });
  });
});
