/** An EPCIS 2.0 event in its JSON-LD form (the GS1 schema checks its shape: standards/epcis/). */
export type EpcisEvent = Record<string, unknown> & { type: string };

export interface QuantityElement {
  epcClass: string;
  quantity?: number;
  uom?: string;
}

/** The GS1 EPCIS 2.0 JSON-LD context, and the ledger's own vocabulary under the prefix `tl:`. */
export const EPCIS_CONTEXT_URL = 'https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld';

/** UN/CEFACT Rec. 20 codes the mapping uses: kilogram, percent, becquerel per kilogram. */
export const UOM = { kilogram: 'KGM', percent: 'P1', becquerelPerKg: 'A18' } as const;

/** The CBV disposition a regulator's hold sets and its release unsets (docs/epcis.md). */
export const HOLD_DISPOSITION = 'non_sellable_other';

/** An event as the ledger stores it (or an audit bundle carries it), JSON-safe. */
export interface LedgerRecord {
  readonly position: string | bigint;
  readonly stream: string;
  readonly eventId: string;
  readonly type: string;
  readonly data: Readonly<Record<string, unknown>>;
  readonly metadata: Readonly<Record<string, unknown>>;
  readonly recordedAt: string;
}
