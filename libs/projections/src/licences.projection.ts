import { gramsToKg, type LedgerEvent, type LicenceItem, type LicenceType } from '@tracelode/domain';
import type { DocumentProjection } from './document-projection';

/** One export drawn against a licence. */
export interface LicenceExport {
  readonly exportId: string;
  readonly batchId: string;
  readonly massKg: number;
  readonly destinationCountry: string;
  readonly occurredAt: string;
  readonly position: string;
  /** Corrections that reached this export's drawdown (its carried mass, its time), oldest first. */
  readonly corrections?: readonly DrawdownCorrection[];
}

/** A correction of an export's drawdown: it follows a correction of the lot's mass or the export's time. */
export interface DrawdownCorrection {
  readonly correctionId: string;
  readonly byOrgId: string;
  readonly reason: string;
  readonly recordedAt: string;
  readonly position: string;
  readonly previous: Record<string, unknown>;
  readonly corrected: Record<string, unknown>;
}

/** One lifecycle event of a licence (granted, amended, suspended, reinstated, revoked). */
export interface LicenceHistoryEntry {
  readonly type: string;
  readonly occurredAt: string;
  readonly recordedAt: string;
  readonly authorityOrgId: string;
  readonly reason: string | null;
  readonly changes: Record<string, unknown> | null;
  readonly position: string;
}

/** The licence-usage view: cap, drawn, remaining, exports against it and its status history. */
export interface LicenceView {
  readonly licenceId: string;
  readonly holderOrgId: string;
  readonly authorityOrgId: string;
  readonly type: LicenceType;
  readonly status: 'active' | 'suspended' | 'revoked';
  readonly items: readonly LicenceItem[];
  readonly destinations: readonly string[];
  readonly endUsers: readonly string[];
  readonly validFrom: string;
  readonly validUntil: string;
  readonly quantityKg: number;
  readonly drawnKg: number;
  readonly remainingKg: number;
  /** Exact grams behind the kilogram figures, so sums never drift. */
  readonly quantityGrams: number;
  readonly drawnGrams: number;
  readonly exports: readonly LicenceExport[];
  readonly history: readonly LicenceHistoryEntry[];
  readonly position: string;
}

export const LICENCES = 'licences';

const LICENCE_EVENTS = new Set<string>([
  'LicenceGranted',
  'LicenceAmended',
  'LicenceSuspended',
  'LicenceReinstated',
  'LicenceRevoked',
  'LicenceDrawnDown',
]);

export const licencesProjection: DocumentProjection<LicenceView> = {
  collection: LICENCES,
  keyOf: (event) =>
    LICENCE_EVENTS.has(event.type) || (event.type === 'EventCorrected' && event.data.licenceId !== undefined)
      ? (event.data as { licenceId: string }).licenceId
      : undefined,
  evolve(view, event, stored) {
    const position = stored.position.toString();
    const next =
      event.type === 'EventCorrected'
        ? corrected(view, event, stored.recordedAt, position)
        : apply(view, event, position);
    const entry = historyEntry(event, stored.recordedAt, position);
    return {
      ...next,
      quantityKg: gramsToKg(next.quantityGrams),
      drawnKg: gramsToKg(next.drawnGrams),
      remainingKg: gramsToKg(next.quantityGrams - next.drawnGrams),
      history: entry ? [...next.history, entry] : next.history,
      position,
    };
  },
};

function apply(view: LicenceView | undefined, event: LedgerEvent, position: string): LicenceView {
  if (event.type === 'LicenceGranted') {
    const { occurredAt: _at, quantityGrams, endUsers, ...granted } = event.data;
    return {
      ...granted,
      status: 'active',
      endUsers: endUsers ?? [],
      quantityGrams,
      drawnGrams: 0,
      quantityKg: 0,
      drawnKg: 0,
      remainingKg: 0,
      exports: [],
      history: [],
      position,
    };
  }
  if (!view) throw new Error(`${event.type} for a licence that was never granted`);
  switch (event.type) {
    case 'LicenceAmended':
      return { ...view, ...event.data.changes };
    case 'LicenceSuspended':
      return { ...view, status: 'suspended' };
    case 'LicenceReinstated':
      return { ...view, status: 'active' };
    case 'LicenceRevoked':
      return { ...view, status: 'revoked' };
    case 'LicenceDrawnDown': {
      const { exportId, batchId, massGrams, destinationCountry, occurredAt, drawnGrams } = event.data;
      const drawn = {
        exportId,
        batchId,
        massKg: gramsToKg(massGrams),
        destinationCountry,
        occurredAt,
        position,
      };
      return { ...view, drawnGrams, exports: [...view.exports, drawn] };
    }
    default:
      return view;
  }
}

/** A drawdown's export corrected (ADR 0024): its carried mass and the licence's drawn quantity follow. */
function corrected(
  view: LicenceView | undefined,
  event: Extract<LedgerEvent, { type: 'EventCorrected' }>,
  recordedAt: string,
  position: string,
): LicenceView {
  if (!view) throw new Error('A correction of a licence that was never granted');
  const { exportId, corrected: fields, previous, correctionId, byOrgId, reason } = event.data;
  const correction: DrawdownCorrection = {
    correctionId,
    byOrgId,
    reason,
    recordedAt,
    position,
    previous,
    corrected: fields,
  };
  let drawnGrams = view.drawnGrams;
  const exports = view.exports.map((drawn) => {
    if (drawn.exportId !== exportId) return drawn;
    const next = { ...drawn, corrections: [...(drawn.corrections ?? []), correction] };
    if (typeof fields.massGrams === 'number') {
      drawnGrams += fields.massGrams - (previous.massGrams as number);
      next.massKg = gramsToKg(fields.massGrams);
    }
    if (typeof fields.occurredAt === 'string') next.occurredAt = fields.occurredAt;
    return next;
  });
  return { ...view, drawnGrams, exports };
}

function historyEntry(event: LedgerEvent, recordedAt: string, position: string): LicenceHistoryEntry | null {
  switch (event.type) {
    case 'LicenceGranted':
      return entry(
        event.type,
        event.data.occurredAt,
        recordedAt,
        event.data.authorityOrgId,
        null,
        null,
        position,
      );
    case 'LicenceAmended': {
      const { quantityGrams, ...rest } = event.data.changes;
      const changes = quantityGrams === undefined ? rest : { ...rest, quantityKg: gramsToKg(quantityGrams) };
      const { occurredAt, authorityOrgId, reason } = event.data;
      return entry(event.type, occurredAt, recordedAt, authorityOrgId, reason, changes, position);
    }
    case 'LicenceSuspended':
    case 'LicenceReinstated':
    case 'LicenceRevoked': {
      const { occurredAt, authorityOrgId, reason } = event.data;
      return entry(event.type, occurredAt, recordedAt, authorityOrgId, reason, null, position);
    }
    default:
      return null;
  }
}

const entry = (
  type: string,
  occurredAt: string,
  recordedAt: string,
  authorityOrgId: string,
  reason: string | null,
  changes: Record<string, unknown> | null,
  position: string,
): LicenceHistoryEntry => ({ type, occurredAt, recordedAt, authorityOrgId, reason, changes, position });

/** One export as customs sees it (from the batch's BatchExported). */
export interface ExportView {
  readonly exportId: string;
  readonly batchId: string;
  readonly licenceId: string;
  readonly exporterOrgId: string;
  readonly facilityId: string;
  readonly massKg: number;
  readonly destinationCountry: string;
  readonly consignee: string;
  readonly endUser: string;
  readonly hsCode: string;
  readonly customsDeclarationNo: string;
  readonly port: string;
  readonly occurredAt: string;
  readonly recordedAt: string;
  readonly position: string;
}

export const EXPORTS = 'exports';

export const exportsProjection: DocumentProjection<ExportView> = {
  collection: EXPORTS,
  keyOf: (event) =>
    event.type === 'BatchExported'
      ? event.data.exportId
      : event.type === 'EventCorrected' && event.data.batchId !== undefined
        ? (event.data.exportId ?? event.data.downstream?.find((change) => change.exportId)?.exportId)
        : undefined,
  evolve(view, event, stored) {
    if (event.type === 'EventCorrected') {
      // The export's own fields corrected, or its carried mass following the lot's (ADR 0024).
      if (!view) throw new Error('A correction of an export that was never recorded');
      const change = [event.data, ...(event.data.downstream ?? [])].find(
        (candidate) => candidate.exportId === view.exportId,
      );
      const { massGrams, ...fields } = change?.corrected ?? {};
      return {
        ...view,
        ...fields,
        ...(typeof massGrams === 'number' ? { massKg: gramsToKg(massGrams) } : {}),
      };
    }
    if (event.type !== 'BatchExported') throw new Error(`${event.type} cannot change an export view`);
    const { orgId, massGrams, ...data } = event.data;
    return {
      ...data,
      exporterOrgId: orgId,
      massKg: gramsToKg(massGrams),
      recordedAt: stored.recordedAt,
      position: stored.position.toString(),
    };
  },
};
