import type { Problem } from '../problem';

/** Each field's message, and `FORM_LEVEL`'s for what belongs to no field of the form. */
export type FieldErrors = Readonly<Record<string, string>>;
export const FORM_LEVEL = 'form-error';

/**
 * The field a domain refusal is about, by its code: the deciders name the rule broken, not the body's
 * field, so the form says which of its fields that rule reads. A form may override (a facility is the
 * mine on one form, the destination on another).
 */
export const FIELD_OF_CODE: Readonly<Record<string, string>> = {
  NOT_FOUND: 'batchId',
  BATCH_NOT_FOUND: 'batchId',
  BATCH_ALREADY_EXISTS: 'batchId',
  BATCH_NOT_IN_CUSTODY: 'batchId',
  BATCH_HELD: 'batchId',
  BATCH_IN_TRANSIT: 'batchId',
  BATCH_CONSUMED: 'batchId',
  BATCH_ALREADY_EXPORTED: 'batchId',
  SHIPMENT_ALREADY_RECORDED: 'shipmentId',
  SHIPMENT_ALREADY_RECEIVED: 'shipmentId',
  SHIPMENT_NOT_FOUND: 'shipmentId',
  SHIPMENT_NOT_ADDRESSED_TO_ACTOR: 'shipmentId',
  SHIPMENT_TO_SAME_FACILITY: 'toFacilityId',
  ORGANISATION_NOT_FOUND: 'toOrgId',
  FACILITY_NOT_FOUND: 'facilityId',
  FACILITY_NOT_A_MINE: 'facilityId',
  MASS_NOT_POSITIVE: 'massKg',
  MASS_NOT_EXACT: 'massKg',
  RECEIVED_MASS_EXCEEDS_SHIPPED: 'receivedMassKg',
  PARTIAL_SHIPMENT_NEEDS_BATCH_ID: 'shippedBatchId',
  OCCURRED_IN_FUTURE: 'occurredAt',
  OCCURRED_BEFORE_PREVIOUS_EVENT: 'occurredAt',
  RECORDED_TOO_LATE: 'occurredAt',
  INVALID_TIME: 'occurredAt',
};

export interface FormFields {
  /** The form's field names, as the API's body names them (top level). */
  readonly fields: readonly string[];
  /** A body path's top segment that the form shows as another field (`material` → `form`). */
  readonly aliases?: Readonly<Record<string, string>>;
  /** Codes whose field differs on this form from FIELD_OF_CODE's. */
  readonly codes?: Readonly<Record<string, string>>;
}

/**
 * Where a refusal's messages go on a form: VALIDATION_FAILED's `errors` by their field (the path's first
 * segment, or its alias), a domain refusal by the field its code reads, or by a `details` key that names a
 * field; the rest at the form's level, with the code, so no refusal is ever dropped.
 */
export function problemToFieldErrors(problem: Problem, form: FormFields): FieldErrors {
  const found: Record<string, string[]> = {};
  const add = (name: string, message: string) => (found[name] ??= []).push(message);
  const own = (name: string | undefined): name is string => name !== undefined && form.fields.includes(name);

  const invalid = problem.errors ?? [];
  if (invalid.length > 0) {
    for (const error of invalid) {
      const path = error.field ?? '';
      const top = path.split('.')[0] ?? '';
      const name = form.aliases?.[top] ?? top;
      const messages = error.messages && error.messages.length > 0 ? error.messages : [problem.code];
      if (own(name)) add(name, messages.join('; '));
      else add(FORM_LEVEL, `${path || problem.code}: ${messages.join('; ')}`);
    }
  } else {
    const message = `${problem.code}: ${problem.detail ?? ''}`.trim();
    const byCode = form.codes?.[problem.code] ?? FIELD_OF_CODE[problem.code];
    const byDetails = Object.keys(problem.details ?? {}).find((key) => own(key));
    if (own(byCode)) add(byCode, message);
    else if (own(byDetails)) add(byDetails, message);
    else add(FORM_LEVEL, message);
  }
  return Object.fromEntries(Object.entries(found).map(([name, messages]) => [name, messages.join('; ')]));
}
