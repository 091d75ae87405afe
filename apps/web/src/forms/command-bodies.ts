import { path } from '../path';
import type { FormFields } from './problem-fields';

/** A form's values, as typed: every field a string, the API's validation judges them. */
export type Values = Readonly<Record<string, string>>;

/** What a form sends: the route and the JSON body. */
export interface Request {
  readonly path: string;
  readonly body: Record<string, unknown>;
}

/** A number as typed, or left out when empty (`"abc"` stays NaN: the API refuses it beside its field). */
export const numberOrOmitted = (value: string | undefined): number | undefined =>
  value === undefined || value.trim() === '' ? undefined : Number(value.trim());

/**
 * A `datetime-local` value (the reader's local time, no offset) as an instant with its offset, the form
 * the API requires; left out when empty, passed through when not a time, for the API to refuse.
 */
export function instantOrOmitted(value: string | undefined): string | undefined {
  if (value === undefined || value.trim() === '') return undefined;
  const time = new Date(value);
  return Number.isNaN(time.getTime()) ? value : time.toISOString();
}

const text = (value: string | undefined): string | undefined =>
  value === undefined || value.trim() === '' ? undefined : value.trim();

/** The three commonest commands of a producer, each a form: its fields and the request it sends. */
export interface CommandSpec extends FormFields {
  /** The field that goes in the route, not the body (refused here when empty: the route needs it). */
  readonly pathField?: string;
  readonly request: (values: Values) => Request;
}

export const RECORD_MINED: CommandSpec = {
  fields: ['batchId', 'facilityId', 'form', 'massKg', 'occurredAt'],
  aliases: { material: 'form' },
  request: (values) => ({
    path: '/batches/mined',
    body: {
      batchId: values.batchId ?? '',
      facilityId: values.facilityId ?? '',
      material: { form: values.form ?? '' },
      massKg: numberOrOmitted(values.massKg),
      occurredAt: instantOrOmitted(values.occurredAt),
    },
  }),
};

export const SHIP: CommandSpec = {
  fields: [
    'batchId',
    'shipmentId',
    'toOrgId',
    'toFacilityId',
    'occurredAt',
    'massKg',
    'shippedBatchId',
    'documentNumber',
  ],
  aliases: { documents: 'documentNumber' },
  codes: { FACILITY_NOT_FOUND: 'toFacilityId' },
  pathField: 'batchId',
  request: (values) => {
    const number = text(values.documentNumber);
    return {
      path: `${path('batches', values.batchId?.trim() ?? '')}/shipments`,
      body: {
        shipmentId: values.shipmentId ?? '',
        toOrgId: values.toOrgId ?? '',
        toFacilityId: values.toFacilityId ?? '',
        occurredAt: instantOrOmitted(values.occurredAt),
        massKg: numberOrOmitted(values.massKg),
        shippedBatchId: text(values.shippedBatchId),
        documents:
          number === undefined
            ? undefined
            : [{ type: text(values.documentType) ?? 'bill_of_lading', number }],
      },
    };
  },
};

export const RECEIVE: CommandSpec = {
  fields: ['batchId', 'shipmentId', 'receivedMassKg', 'occurredAt'],
  codes: { MASS_NOT_POSITIVE: 'receivedMassKg', MASS_NOT_EXACT: 'receivedMassKg' },
  pathField: 'batchId',
  request: (values) => ({
    path: `${path('batches', values.batchId?.trim() ?? '')}/receipts`,
    body: {
      shipmentId: values.shipmentId ?? '',
      receivedMassKg: numberOrOmitted(values.receivedMassKg),
      occurredAt: instantOrOmitted(values.occurredAt),
    },
  }),
};
