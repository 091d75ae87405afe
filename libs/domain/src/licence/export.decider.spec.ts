import { BACKFILL } from '../spec-support';
import type { BatchEvent } from '../batch/batch.events';
import { InMemoryStreams, type Issued } from '../decider';
import type { Actor } from '../shared/actor';
import { DomainError } from '../shared/domain-error';
import { exportBatch, type ExportBatch } from './export.decider';
import type { LicenceEvent } from './licence.events';

const exporter: Actor = { orgId: 'mineco', keyId: 'k', roles: ['producer'] };
const mined: BatchEvent = {
  type: 'BatchMined',
  data: {
    batchId: 'b1',
    orgId: 'mineco',
    facilityId: 'port',
    material: { form: 'oxide', elements: ['Nd', 'Pr'] },
    massGrams: 1_000_000,
    occurredAt: '2026-02-01T00:00:00Z',
  },
};
const granted: LicenceEvent = {
  type: 'LicenceGranted',
  data: {
    licenceId: 'L1',
    holderOrgId: 'mineco',
    authorityOrgId: 'customs',
    type: 'single',
    items: [{ form: 'oxide', elements: ['Nd', 'Pr', 'Dy'], hsCode: '2846.90' }],
    destinations: ['JP'],
    endUsers: ['Magnet Co'],
    quantityGrams: 1_500_000,
    validFrom: '2026-01-01T00:00:00Z',
    validUntil: '2026-12-31T00:00:00Z',
    occurredAt: '2026-01-01T00:00:00Z',
  },
};

/** Batch b1 and licence L1 with these events (by default: mined, and granted). */
const ledger = ({
  batch = [mined],
  licence = [granted],
}: { batch?: BatchEvent[]; licence?: LicenceEvent[] } = {}) =>
  new InMemoryStreams().given('batches', 'b1', ...batch).given('licences', 'L1', ...licence);
const command = (data: Partial<ExportBatch['data']> = {}, actor = exporter): Issued<ExportBatch> => ({
  type: 'ExportBatch',
  data: {
    batchId: 'b1',
    exportId: 'E1',
    licenceId: 'L1',
    destinationCountry: 'JP',
    consignee: 'Trading Co',
    endUser: 'Magnet Co',
    hsCode: '2846.90',
    customsDeclarationNo: 'K1-1',
    port: 'AUFRE',
    occurredAt: '2026-03-01T00:00:00Z',
    ...data,
  },
  metadata: { actor, recordedAt: '2026-06-01T00:00:00Z', policy: BACKFILL },
});

const refusal = (run: () => unknown): DomainError => {
  try {
    run();
  } catch (error) {
    if (error instanceof DomainError) return error;
    throw error;
  }
  throw new Error('expected a refusal');
};

describe('exportBatch', () => {
  it('exports the whole lot and draws the licence down by the same mass, in one decision over both streams', () => {
    const streams = ledger();
    expect(streams.decide(exportBatch, command())).toEqual([
      {
        stream: 'batch-b1',
        events: [
          {
            type: 'BatchExported',
            data: { ...command().data, orgId: 'mineco', facilityId: 'port', massGrams: 1_000_000 },
          },
        ],
      },
      {
        stream: 'licence-L1',
        events: [
          {
            type: 'LicenceDrawnDown',
            data: {
              licenceId: 'L1',
              exportId: 'E1',
              batchId: 'b1',
              massGrams: 1_000_000,
              drawnGrams: 1_000_000,
              destinationCountry: 'JP',
              occurredAt: '2026-03-01T00:00:00Z',
            },
          },
        ],
      },
    ]);
    expect(streams.stateOf('batches', 'b1')).toMatchObject({ status: 'exported', remainingGrams: 0 });
  });

  const held: BatchEvent = {
    type: 'BatchHeld',
    data: { batchId: 'b1', authorityOrgId: 'customs', reason: 'r', occurredAt: '2026-02-02T00:00:00Z' },
  };
  const lifecycle = (type: 'LicenceSuspended' | 'LicenceRevoked'): LicenceEvent => ({
    type,
    data: { licenceId: 'L1', authorityOrgId: 'customs', reason: 'r', occurredAt: '2026-02-01T00:00:00Z' },
  });
  const drawn: LicenceEvent = {
    type: 'LicenceDrawnDown',
    data: {
      licenceId: 'L1',
      exportId: 'E0',
      batchId: 'b0',
      massGrams: 1,
      drawnGrams: 1,
      destinationCountry: 'JP',
      occurredAt: '2026-02-01T00:00:00Z',
    },
  };
  const amended = (changes: { validUntil?: string; quantityGrams?: number }): LicenceEvent => ({
    type: 'LicenceAmended',
    data: { licenceId: 'L1', authorityOrgId: 'c', reason: 'r', occurredAt: '2026-01-02T00:00:00Z', changes },
  });
  it.each<[string, () => unknown]>([
    ['BATCH_NOT_IN_CUSTODY', () => ledger().decide(exportBatch, command({}, { ...exporter, orgId: 'x' }))],
    ['BATCH_HELD', () => ledger({ batch: [mined, held] }).decide(exportBatch, command())],
    [
      'LICENCE_SUSPENDED',
      () => ledger({ licence: [granted, lifecycle('LicenceSuspended')] }).decide(exportBatch, command()),
    ],
    [
      'LICENCE_REVOKED',
      () => ledger({ licence: [granted, lifecycle('LicenceRevoked')] }).decide(exportBatch, command()),
    ],
    [
      'LICENCE_NOT_YET_VALID',
      () =>
        ledger({
          licence: [{ ...granted, data: { ...granted.data, validFrom: '2026-03-01T00:00:00Z' } }],
        }).decide(exportBatch, command({ occurredAt: '2026-02-15T00:00:00Z' })),
    ],
    [
      'LICENCE_EXPIRED',
      () =>
        ledger({ licence: [granted, amended({ validUntil: '2026-02-28T00:00:00Z' })] }).decide(
          exportBatch,
          command(),
        ),
    ],
    ['LICENCE_SINGLE_USE_SPENT', () => ledger({ licence: [granted, drawn] }).decide(exportBatch, command())],
    ['LICENCE_HS_CODE_NOT_COVERED', () => ledger().decide(exportBatch, command({ hsCode: '2805.30' }))],
    [
      'LICENCE_DESTINATION_NOT_COVERED',
      () => ledger().decide(exportBatch, command({ destinationCountry: 'CN' })),
    ],
    ['LICENCE_END_USER_NOT_COVERED', () => ledger().decide(exportBatch, command({ endUser: 'Other' }))],
    [
      'LICENCE_EXHAUSTED',
      () =>
        ledger({ licence: [granted, amended({ quantityGrams: 999_999 })] }).decide(exportBatch, command()),
    ],
    ['LICENCE_NOT_FOUND', () => ledger({ licence: [] }).decide(exportBatch, command())],
    ['BATCH_NOT_FOUND', () => ledger({ batch: [] }).decide(exportBatch, command())],
    ['ROLE_REQUIRED', () => ledger().decide(exportBatch, command({}, { ...exporter, roles: ['regulator'] }))],
  ])('refuses with %s', (code, run) => expect(refusal(run).code).toBe(code));

  it('refuses a lot whose elements the licence does not name', () => {
    const terbium: BatchEvent = {
      type: 'BatchMined',
      data: { ...mined.data, material: { form: 'oxide', elements: ['Nd', 'Tb'] } },
    };
    expect(refusal(() => ledger({ batch: [terbium] }).decide(exportBatch, command())).code).toBe(
      'LICENCE_ITEM_NOT_COVERED',
    );
  });

  it('refuses an export that occurred during a suspension lifted since', () => {
    const reinstated: LicenceEvent = {
      type: 'LicenceReinstated',
      data: { licenceId: 'L1', authorityOrgId: 'customs', reason: 'r', occurredAt: '2026-02-20T00:00:00Z' },
    };
    const streams = ledger({ licence: [granted, lifecycle('LicenceSuspended'), reinstated] });
    expect(
      refusal(() => streams.decide(exportBatch, command({ occurredAt: '2026-02-10T00:00:00Z' }))).code,
    ).toBe('LICENCE_SUSPENDED');
    expect(streams.decide(exportBatch, command()).map(({ stream }) => stream)).toEqual([
      'batch-b1',
      'licence-L1',
    ]);
  });

  it('refuses a lot of a form the licence does not name', () => {
    const ore: BatchEvent = {
      type: 'BatchMined',
      data: { ...mined.data, material: { form: 'ore', elements: ['Nd'] } },
    };
    expect(refusal(() => ledger({ batch: [ore] }).decide(exportBatch, command())).code).toBe(
      'LICENCE_ITEM_NOT_COVERED',
    );
  });

  it('refuses an exporter who holds the lot but not the licence', () => {
    const othersLicence: LicenceEvent = { ...granted, data: { ...granted.data, holderOrgId: 'refco' } };
    expect(refusal(() => ledger({ licence: [othersLicence] }).decide(exportBatch, command()))).toMatchObject({
      code: 'LICENCE_NOT_HELD_BY_ACTOR',
      kind: 'rule',
    });
  });

  it('refuses a lot consumed by processing', () => {
    const consumed: BatchEvent = {
      type: 'BatchRefined',
      data: {
        batchId: 'b1',
        transformationId: 'T1',
        process: 'beneficiation',
        orgId: 'mineco',
        facilityId: 'port',
        consumedGrams: 1_000_000,
        remainingGrams: 0,
        occurredAt: '2026-02-02T00:00:00Z',
      },
    };
    expect(refusal(() => ledger({ batch: [mined, consumed] }).decide(exportBatch, command()))).toMatchObject({
      code: 'BATCH_CONSUMED',
      kind: 'rule',
    });
  });

  describe('judges the licence at both times: occurredAt and recordedAt (ADR 0017)', () => {
    const at = (recordedAt: string, data: Partial<ExportBatch['data']> = {}, policy = BACKFILL) => {
      const issued = command(data);
      return { ...issued, metadata: { ...issued.metadata, recordedAt, policy } };
    };

    it('refuses a back-dated export under a licence that expired before it was recorded', () => {
      // Occurred on 1 March, inside the validity; recorded after the licence ran out on 31 December.
      const late = at('2027-01-02T00:00:00Z');
      expect(refusal(() => ledger().decide(exportBatch, late))).toMatchObject({
        code: 'LICENCE_EXPIRED',
        details: { validUntil: '2026-12-31T00:00:00Z', recordedAt: '2027-01-02T00:00:00Z' },
      });
    });

    it('refuses an export recorded before the licence is valid, though its occurredAt (within the clock skew) is', () => {
      const early = at('2026-12-31T23:58:00Z', { occurredAt: '2027-01-01T00:01:00Z' });
      const later: LicenceEvent = {
        type: 'LicenceAmended',
        data: {
          licenceId: 'L1',
          authorityOrgId: 'customs',
          reason: 'renewed for next year',
          occurredAt: '2026-01-02T00:00:00Z',
          changes: { validFrom: '2027-01-01T00:00:00Z', validUntil: '2027-12-31T00:00:00Z' },
        },
      };
      expect(refusal(() => ledger({ licence: [granted, later] }).decide(exportBatch, early)).code).toBe(
        'LICENCE_NOT_YET_VALID',
      );
    });

    it('exports when the licence is in force at both times', () => {
      expect(ledger().decide(exportBatch, at('2026-03-20T00:00:00Z'))).toHaveLength(2);
    });

    it('refuses an export reported longer after it occurred than the policy allows, writing nothing', () => {
      const streams = ledger();
      const thirtyDays = { maxRecordingDelayMs: 30 * 24 * 60 * 60 * 1000 };
      expect(
        refusal(() => streams.decide(exportBatch, at('2026-04-01T00:00:01Z', {}, thirtyDays))),
      ).toMatchObject({ code: 'RECORDED_TOO_LATE', kind: 'rule' });
      expect(streams.stateOf('batches', 'b1')).toMatchObject({ status: 'in_custody' });
      expect(streams.decide(exportBatch, at('2026-03-31T00:00:00Z', {}, thirtyDays))).toHaveLength(2);
    });

    it('applies the default policy (30 days) when the command carries none', () => {
      const issued = command();
      const withoutPolicy = { ...issued, metadata: { actor: exporter, recordedAt: '2026-04-01T00:00:01Z' } };
      expect(refusal(() => ledger().decide(exportBatch, withoutPolicy)).code).toBe('RECORDED_TOO_LATE');
    });
  });

  it('refuses a lot already exported', () => {
    const streams = ledger();
    streams.decide(exportBatch, command());
    expect(refusal(() => streams.decide(exportBatch, command({ exportId: 'E2' }))).code).toBe(
      'BATCH_ALREADY_EXPORTED',
    );
  });

  it('refuses a lot in transit as a conflict (409), as a shipment or a transformation does', () => {
    const shipped: BatchEvent = {
      type: 'BatchShipped',
      data: {
        batchId: 'b1',
        shipmentId: 's1',
        fromOrgId: 'mineco',
        fromFacilityId: 'port',
        toOrgId: 'refco',
        toFacilityId: 'kuantan',
        massGrams: 1_000_000,
        documents: [],
        occurredAt: '2026-02-02T00:00:00Z',
      },
    };
    expect(refusal(() => ledger({ batch: [mined, shipped] }).decide(exportBatch, command()))).toMatchObject({
      code: 'BATCH_IN_TRANSIT',
      kind: 'conflict',
    });
  });
});
