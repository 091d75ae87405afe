import { type BatchState, evolveBatch, initialBatchState } from '../batch/batch.decider';
import type { BatchEvent } from '../batch/batch.events';
import { DomainError } from '../shared/domain-error';
import { decideExport, type ExportBatch, type ExportContext } from './export.decider';
import { evolveLicence, initialLicenceState, type LicenceState } from './licence.decider';
import type { LicenceEvent } from './licence.events';

const exporter: ExportContext = {
  actor: { orgId: 'mineco', keyId: 'k', roles: ['producer'] },
  recordedAt: '2026-06-01T00:00:00Z',
};
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
const batch = (...later: BatchEvent[]): BatchState =>
  [mined, ...later].reduce(evolveBatch, initialBatchState());
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
const licence = (...later: LicenceEvent[]): LicenceState =>
  [granted, ...later].reduce(evolveLicence, initialLicenceState());
const command = (data: Partial<ExportBatch['data']> = {}): ExportBatch => ({
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
});

const refusal = (run: () => unknown): string => {
  try {
    run();
  } catch (error) {
    if (error instanceof DomainError) return error.code;
    throw error;
  }
  throw new Error('expected a refusal');
};

describe('export decider', () => {
  it('exports the whole lot and draws the licence down by the same mass', () => {
    const events = decideExport(command(), batch(), licence(), exporter);
    expect(events.batch).toEqual([
      {
        type: 'BatchExported',
        data: { ...command().data, orgId: 'mineco', facilityId: 'port', massGrams: 1_000_000 },
      },
    ]);
    expect(events.licence).toEqual([
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
    ]);
    expect(evolveBatch(batch(), events.batch[0]!)).toMatchObject({ status: 'exported', remainingGrams: 0 });
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
  it.each<[string, () => unknown]>([
    [
      'BATCH_NOT_IN_CUSTODY',
      () =>
        decideExport(command(), batch(), licence(), {
          ...exporter,
          actor: { ...exporter.actor, orgId: 'x' },
        }),
    ],
    ['BATCH_HELD', () => decideExport(command(), batch(held), licence(), exporter)],
    [
      'LICENCE_SUSPENDED',
      () => decideExport(command(), batch(), licence(lifecycle('LicenceSuspended')), exporter),
    ],
    [
      'LICENCE_REVOKED',
      () => decideExport(command(), batch(), licence(lifecycle('LicenceRevoked')), exporter),
    ],
    [
      'LICENCE_NOT_YET_VALID',
      () =>
        decideExport(
          command({ occurredAt: '2026-02-15T00:00:00Z' }),
          batch(),
          licence({
            ...granted,
            data: { ...granted.data, validFrom: '2026-03-01T00:00:00Z' },
          }),
          exporter,
        ),
    ],
    [
      'LICENCE_EXPIRED',
      () =>
        decideExport(
          command(),
          batch(),
          licence({
            type: 'LicenceAmended',
            data: {
              licenceId: 'L1',
              authorityOrgId: 'c',
              reason: 'r',
              occurredAt: '2026-01-02T00:00:00Z',
              changes: { validUntil: '2026-02-28T00:00:00Z' },
            },
          }),
          exporter,
        ),
    ],
    ['LICENCE_SINGLE_USE_SPENT', () => decideExport(command(), batch(), licence(drawn), exporter)],
    [
      'LICENCE_HS_CODE_NOT_COVERED',
      () => decideExport(command({ hsCode: '2805.30' }), batch(), licence(), exporter),
    ],
    [
      'LICENCE_DESTINATION_NOT_COVERED',
      () => decideExport(command({ destinationCountry: 'CN' }), batch(), licence(), exporter),
    ],
    [
      'LICENCE_END_USER_NOT_COVERED',
      () => decideExport(command({ endUser: 'Other' }), batch(), licence(), exporter),
    ],
    [
      'LICENCE_EXHAUSTED',
      () =>
        decideExport(
          command(),
          batch(),
          licence({
            type: 'LicenceAmended',
            data: {
              licenceId: 'L1',
              authorityOrgId: 'c',
              reason: 'r',
              occurredAt: '2026-01-02T00:00:00Z',
              changes: { quantityGrams: 999_999 },
            },
          }),
          exporter,
        ),
    ],
    ['LICENCE_NOT_FOUND', () => decideExport(command(), batch(), initialLicenceState(), exporter)],
    ['BATCH_NOT_FOUND', () => decideExport(command(), initialBatchState(), licence(), exporter)],
    [
      'ROLE_REQUIRED',
      () =>
        decideExport(command(), batch(), licence(), {
          ...exporter,
          actor: { ...exporter.actor, roles: ['regulator'] },
        }),
    ],
  ])('refuses with %s', (code, run) => expect(refusal(run)).toBe(code));

  it('refuses a lot whose elements the licence does not name', () => {
    const terbium: BatchEvent = {
      type: 'BatchMined',
      data: {
        ...mined.data,
        material: { form: 'oxide', elements: ['Nd', 'Tb'] },
      },
    };
    const state = [terbium].reduce(evolveBatch, initialBatchState());
    expect(refusal(() => decideExport(command(), state, licence(), exporter))).toBe(
      'LICENCE_ITEM_NOT_COVERED',
    );
  });

  it('refuses an export that occurred during a suspension lifted since', () => {
    const suspended = licence(lifecycle('LicenceSuspended'), {
      type: 'LicenceReinstated',
      data: { licenceId: 'L1', authorityOrgId: 'customs', reason: 'r', occurredAt: '2026-02-20T00:00:00Z' },
    });
    expect(
      refusal(() =>
        decideExport(command({ occurredAt: '2026-02-10T00:00:00Z' }), batch(), suspended, exporter),
      ),
    ).toBe('LICENCE_SUSPENDED');
    expect(decideExport(command(), batch(), suspended, exporter).licence).toHaveLength(1);
  });

  it('refuses a lot already exported', () => {
    const exported = decideExport(command(), batch(), licence(), exporter).batch[0]!;
    expect(
      refusal(() => decideExport(command({ exportId: 'E2' }), batch(exported), licence(), exporter)),
    ).toBe('BATCH_ALREADY_EXPORTED');
  });
});
