import type { BulkEvent } from '../bulk/bulk.events';
import type { CorrectionEvent } from '../correction/correction.events';
import type { BatchExported } from '../licence/export.events';
import type { Grade, Material } from '../shared/material';
import type { TransformationBatchEvent } from '../transformation/transformation.events';
import type { DisclosureEvent } from '../disclosure/disclosure.events';

/** A transport or trade document that travels with a shipment (bill of lading, packing list, …). */
export interface TransportDocument {
  readonly type: string;
  readonly number: string;
  /** SHA-256 of the document file, hex, when the producer has it. */
  readonly sha256?: string;
}

/**
 * Version 2 (envelope schema 2) adds `country`, the mine's country as registered when the lot was mined.
 * A version 1 event is stored as it was and upcast on read with `country: null`: its views read the
 * country from the facility's registration, as before (libs/domain/src/batch/batch-mined.upcast.ts).
 */
export type BatchMined = {
  type: 'BatchMined';
  data: {
    batchId: string;
    orgId: string;
    facilityId: string;
    /** ISO 3166-1 alpha-2 of the mine (v2); null when upcast from v1, absent in hand-written fixtures. */
    country?: string | null;
    material: Material;
    massGrams: number;
    extractionEmissionsKgCo2e?: number;
    occurredAt: string;
  };
};
export type BatchAssayed = {
  type: 'BatchAssayed';
  data: {
    batchId: string;
    assayId: string;
    byOrgId: string;
    lab: string;
    method: string;
    grade: Grade;
    radioactivityBqPerG?: number;
    occurredAt: string;
  };
};
export type BatchShipped = {
  type: 'BatchShipped';
  data: {
    batchId: string;
    shipmentId: string;
    fromOrgId: string;
    fromFacilityId: string;
    toOrgId: string;
    toFacilityId: string;
    /** A shipment moves the whole remaining lot (a partial shipment first splits its quantity off). */
    massGrams: number;
    documents: TransportDocument[];
    occurredAt: string;
  };
};
export type BatchReceived = {
  type: 'BatchReceived';
  data: {
    batchId: string;
    shipmentId: string;
    orgId: string;
    facilityId: string;
    receivedMassGrams: number;
    /** Shipped minus received: a shortfall is recorded, never hidden. */
    discrepancyGrams: number;
    occurredAt: string;
  };
};
export type BatchHeld = {
  type: 'BatchHeld';
  data: {
    batchId: string;
    authorityOrgId: string;
    /** The holding authority's country (absent on holds recorded before jurisdiction was checked). */
    authorityCountry?: string;
    reason: string;
    occurredAt: string;
  };
};
export type BatchReleased = {
  type: 'BatchReleased';
  data: { batchId: string; authorityOrgId: string; reason: string; occurredAt: string };
};

export type BatchEvent =
  | BatchMined
  | BatchAssayed
  | BatchShipped
  | BatchReceived
  | BatchHeld
  | BatchReleased
  | TransformationBatchEvent
  | BulkEvent
  | CorrectionEvent
  | BatchExported
  | DisclosureEvent;
