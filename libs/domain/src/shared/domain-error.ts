/** How a refusal is classified; the API maps each kind to one HTTP status. */
export type DomainErrorKind = 'invalid' | 'forbidden' | 'not_found' | 'conflict' | 'rule';

/**
 * Every code a command can be refused with, and its one kind. A code has the same kind (so the same HTTP
 * status) wherever it is raised: `refuse` takes the kind from here, never from the caller.
 * - invalid: the command contradicts itself, whatever the ledger holds (400);
 * - forbidden: the actor may not do this (403);
 * - not_found: something the command names does not exist (404);
 * - conflict: the ledger's current state is in the way; it may pass later or is already done (409);
 * - rule: a business rule refuses it for good (422).
 */
export const REFUSALS = {
  ALLOCATION_KEYS_DO_NOT_SUM_TO_ONE: 'rule',
  ALLOCATION_KEYS_MISMATCH: 'invalid',
  ALLOCATION_KEY_INVALID: 'invalid',
  API_KEY_ALREADY_REVOKED: 'conflict',
  API_KEY_LAST_ACTIVE: 'conflict',
  API_KEY_NOT_FOUND: 'not_found',
  ASSAY_ALREADY_RECORDED: 'conflict',
  BATCH_ALREADY_EXISTS: 'conflict',
  BATCH_ALREADY_EXPORTED: 'rule',
  BATCH_ALREADY_HELD: 'conflict',
  BATCH_CONSUMED: 'rule',
  BATCH_EVENT_NOT_FOUND: 'not_found',
  BATCH_HELD: 'rule',
  BATCH_IN_TRANSIT: 'conflict',
  BATCH_NAMED_TWICE: 'invalid',
  BATCH_NOT_AVAILABLE: 'rule',
  BATCH_NOT_FOUND: 'not_found',
  BATCH_NOT_HELD: 'conflict',
  BATCH_NOT_IN_CUSTODY: 'rule',
  BLEND_ALREADY_RECORDED: 'conflict',
  BLEND_NEEDS_TWO_INPUTS: 'invalid',
  BLEND_OF_DIFFERENT_FORMS: 'rule',
  CERTIFICATE_ALREADY_EXISTS: 'conflict',
  CERTIFICATE_ALREADY_SUSPENDED: 'conflict',
  CERTIFICATE_LIMIT_REACHED: 'rule',
  CERTIFICATE_NOT_FOUND: 'not_found',
  CERTIFICATE_NOT_SUSPENDED: 'conflict',
  CERTIFICATE_REVOKED: 'rule',
  CERTIFICATE_VALIDITY_INVERTED: 'invalid',
  CERTIFIER_NOT_ENGAGED: 'forbidden',
  CONCURRENCY_CONFLICT: 'conflict',
  CONSUMED_MASS_EXCEEDS_REMAINING: 'rule',
  CORRECTION_ALREADY_RECORDED: 'conflict',
  CORRECTION_BREAKS_DEPENDENTS: 'rule',
  CORRECTION_VALUE_INVALID: 'invalid',
  DISCLOSURE_ALREADY_EXISTS: 'conflict',
  DISCLOSURE_ALREADY_REVOKED: 'conflict',
  DISCLOSURE_NOT_FOUND: 'not_found',
  DISCLOSURE_TO_SELF: 'invalid',
  DISCLOSURE_UNTIL_NOT_LATER: 'rule',
  EVENT_HAS_DEPENDENTS: 'conflict',
  EVENT_NOT_CORRECTABLE: 'rule',
  EVENT_NOT_VOIDABLE: 'rule',
  EVENT_VOIDED: 'rule',
  EXPORT_ALREADY_RECORDED: 'conflict',
  FACILITY_ALREADY_EXISTS: 'conflict',
  FACILITY_NOT_A_MINE: 'rule',
  FACILITY_NOT_FOUND: 'not_found',
  FACILITY_SUBJECT_NEEDS_ORGANISATION: 'invalid',
  FIELD_NOT_CORRECTABLE: 'rule',
  GLN_ALREADY_SET: 'conflict',
  GLN_TAKEN: 'conflict',
  IDEMPOTENCY_KEY_REUSED: 'rule',
  INPUT_NOT_AT_FACILITY: 'rule',
  INVALID_GLN: 'invalid',
  LICENCE_ALREADY_EXISTS: 'conflict',
  LICENCE_ALREADY_REVOKED: 'conflict',
  LICENCE_ALREADY_SUSPENDED: 'conflict',
  LICENCE_CAP_BELOW_DRAWN: 'rule',
  LICENCE_DESTINATION_NOT_COVERED: 'rule',
  LICENCE_END_USER_NOT_COVERED: 'rule',
  LICENCE_EXHAUSTED: 'rule',
  LICENCE_EXPIRED: 'rule',
  LICENCE_HS_CODE_NOT_COVERED: 'rule',
  LICENCE_ITEM_NOT_COVERED: 'rule',
  LICENCE_NOT_FOUND: 'not_found',
  LICENCE_NOT_HELD_BY_ACTOR: 'rule',
  LICENCE_NOT_SUSPENDED: 'conflict',
  LICENCE_NOT_YET_VALID: 'rule',
  LICENCE_QUANTITY_NOT_POSITIVE: 'invalid',
  LICENCE_REVOKED: 'rule',
  LICENCE_SINGLE_USE_SPENT: 'rule',
  LICENCE_SUSPENDED: 'rule',
  LICENCE_TERMS_EMPTY: 'invalid',
  LICENCE_VALIDITY_INVERTED: 'invalid',
  MASS_NOT_EXACT: 'invalid',
  MASS_NOT_POSITIVE: 'rule',
  NOT_A_PARTICIPANT: 'forbidden',
  NOT_CUSTODIAN_OR_CERTIFIER: 'forbidden',
  NOT_DISCLOSING_PARTY: 'forbidden',
  NOT_HOLDING_AUTHORITY: 'forbidden',
  NOT_ISSUING_CERTIFIER: 'forbidden',
  NOT_LICENSING_AUTHORITY: 'forbidden',
  NOT_RECORDER: 'forbidden',
  NOT_YOUR_ORGANISATION: 'forbidden',
  OCCURRED_BEFORE_PREVIOUS_EVENT: 'rule',
  OCCURRED_IN_FUTURE: 'rule',
  ORGANISATION_ALREADY_EXISTS: 'conflict',
  ORGANISATION_NOT_FOUND: 'not_found',
  OUTPUT_MASS_EXCEEDS_CONSUMED: 'rule',
  OUTSIDE_JURISDICTION: 'forbidden',
  PARTIAL_SHIPMENT_NEEDS_BATCH_ID: 'rule',
  RECEIVED_MASS_EXCEEDS_SHIPPED: 'rule',
  RECORDED_TOO_LATE: 'rule',
  ROLE_REQUIRED: 'forbidden',
  SHIPMENT_ALREADY_RECEIVED: 'conflict',
  SHIPMENT_ALREADY_RECORDED: 'conflict',
  SHIPMENT_NOT_ADDRESSED_TO_ACTOR: 'rule',
  SHIPMENT_NOT_FOUND: 'not_found',
  SHIPMENT_TO_SAME_FACILITY: 'rule',
  SIGNING_KEY_ALREADY_EXISTS: 'conflict',
  SIGNING_KEY_ALREADY_REVOKED: 'conflict',
  SIGNING_KEY_INVALID: 'invalid',
  SIGNING_KEY_NOT_FOUND: 'not_found',
  SPLIT_ALREADY_RECORDED: 'conflict',
  SPLIT_EXCEEDS_REMAINING: 'rule',
  SPLIT_NEEDS_OUTPUTS: 'invalid',
  TRANSFORMATION_ALREADY_RECORDED: 'conflict',
  TRANSFORMATION_NEEDS_INPUTS_AND_OUTPUTS: 'invalid',
  VOID_ALREADY_RECORDED: 'conflict',
} as const satisfies Record<string, DomainErrorKind>;

export type RefusalCode = keyof typeof REFUSALS;

/** A refused command: a stable code (`BATCH_NOT_IN_CUSTODY`), its kind and a sentence for people. */
export class DomainError extends Error {
  override readonly name = 'DomainError';
  constructor(
    readonly code: string,
    readonly kind: DomainErrorKind,
    message: string,
    readonly details: Readonly<Record<string, unknown>> = {},
  ) {
    super(message);
  }
}

/** The one way a rule refuses: the code decides the kind. */
export const refuse = (code: RefusalCode, message: string, details?: Record<string, unknown>): DomainError =>
  new DomainError(code, REFUSALS[code], message, details);
