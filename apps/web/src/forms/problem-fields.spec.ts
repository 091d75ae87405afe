import { RECEIVE, RECORD_MINED, SHIP } from './command-bodies';
import { FORM_LEVEL, problemToFieldErrors } from './problem-fields';

const refusal = (code: string, status: number, extra: Record<string, unknown> = {}) => ({
  status,
  code,
  detail: `${code} detail`,
  ...extra,
});

describe('problemToFieldErrors', () => {
  it("puts VALIDATION_FAILED's messages beside their fields, a nested path by its top field or alias", () => {
    const problem = refusal('VALIDATION_FAILED', 400, {
      errors: [
        { field: 'massKg', messages: ['massKg must be a positive number', 'massKg must have 3 decimals'] },
        { field: 'material.form', messages: ['form must be one of ore, concentrate'] },
      ],
    });
    expect(problemToFieldErrors(problem, RECORD_MINED)).toEqual({
      massKg: 'massKg must be a positive number; massKg must have 3 decimals',
      form: 'form must be one of ore, concentrate',
    });
  });

  it('shows a transport document error beside the bill of lading number on the ship form', () => {
    const problem = refusal('VALIDATION_FAILED', 400, {
      errors: [{ field: 'documents.0.number', messages: ['number must be 1 to 100 characters'] }],
    });
    expect(problemToFieldErrors(problem, SHIP)).toEqual({
      documentNumber: 'number must be 1 to 100 characters',
    });
  });

  it("keeps a field the form does not show at the form's level, with its path, never dropped", () => {
    const problem = refusal('VALIDATION_FAILED', 400, {
      errors: [{ field: 'extractionEmissionsKgCo2e', messages: ['must not be negative'] }, { messages: [] }],
    });
    expect(problemToFieldErrors(problem, RECORD_MINED)).toEqual({
      [FORM_LEVEL]: 'extractionEmissionsKgCo2e: must not be negative; VALIDATION_FAILED: VALIDATION_FAILED',
    });
  });

  it("puts a domain refusal beside the field its rule reads, the form's own mapping first", () => {
    expect(problemToFieldErrors(refusal('RECEIVED_MASS_EXCEEDS_SHIPPED', 422), RECEIVE)).toEqual({
      receivedMassKg: 'RECEIVED_MASS_EXCEEDS_SHIPPED: RECEIVED_MASS_EXCEEDS_SHIPPED detail',
    });
    // A facility not found is the destination on the ship form, the mine on the mined form.
    expect(Object.keys(problemToFieldErrors(refusal('FACILITY_NOT_FOUND', 404), SHIP))).toEqual([
      'toFacilityId',
    ]);
    expect(Object.keys(problemToFieldErrors(refusal('FACILITY_NOT_FOUND', 404), RECORD_MINED))).toEqual([
      'facilityId',
    ]);
    // A mass that is not positive is the received mass on the receive form.
    expect(Object.keys(problemToFieldErrors(refusal('MASS_NOT_POSITIVE', 400), RECEIVE))).toEqual([
      'receivedMassKg',
    ]);
    expect(Object.keys(problemToFieldErrors(refusal('OCCURRED_IN_FUTURE', 422), SHIP))).toEqual([
      'occurredAt',
    ]);
  });

  it('falls back on a details key that names a field, then on the form level', () => {
    const named = refusal('SOME_NEW_RULE', 422, { details: { shippedBatchId: 'P-1' } });
    expect(problemToFieldErrors(named, SHIP)).toEqual({
      shippedBatchId: 'SOME_NEW_RULE: SOME_NEW_RULE detail',
    });
    // A code whose field the form does not have (receive has no toOrgId) goes to the form level.
    expect(problemToFieldErrors(refusal('ORGANISATION_NOT_FOUND', 404), RECEIVE)).toEqual({
      [FORM_LEVEL]: 'ORGANISATION_NOT_FOUND: ORGANISATION_NOT_FOUND detail',
    });
    expect(problemToFieldErrors({ status: 503, code: 'STORE_UNAVAILABLE' }, RECEIVE)).toEqual({
      [FORM_LEVEL]: 'STORE_UNAVAILABLE:',
    });
  });
});
