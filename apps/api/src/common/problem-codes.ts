import { type DomainErrorKind, REFUSALS } from '@tracelode/domain';

/** The HTTP status of each kind of domain refusal. */
export const STATUS_OF_KIND: Record<DomainErrorKind, number> = {
  invalid: 400,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  rule: 422,
};

/**
 * The codes the API itself answers with (the domain's refusals are in REFUSALS, by kind), each with its
 * one status. `apiProblem` takes the status from here, so a code cannot mean two statuses.
 */
export const API_PROBLEMS = {
  BAD_REQUEST: 400,
  MALFORMED_JSON: 400,
  VALIDATION_FAILED: 400,
  BODY_TOO_DEEP: 400,
  NUMBER_OUT_OF_RANGE: 400,
  RESERVED_KEY: 400,
  INVALID_IDEMPOTENCY_KEY: 400,
  INVALID_CORRELATION_ID: 400,
  INVALID_POSITION: 400,
  AMBIGUOUS_MOMENT: 400,
  INVALID_AS_OF: 400,
  INVALID_DIRECTION: 400,
  INVALID_TIME: 400,
  INVALID_LIMIT: 400,
  INVALID_FILTER: 400,
  INVALID_CURSOR: 400,
  INVALID_EVENT_ID: 400,
  INVALID_TREE_SIZE: 400,
  INVALID_CREDENTIAL_FORMAT: 400,
  EPCIS_QUERY_PARAMETER_INVALID: 400,
  EPCIS_DOCUMENT_INVALID: 400,
  EPCIS_VERSION_UNSUPPORTED: 400,
  UNAUTHENTICATED: 401,
  MISSING_API_KEY: 401,
  INVALID_API_KEY: 401,
  SIGNATURE_REQUIRED: 401,
  SIGNATURE_MALFORMED: 401,
  SIGNATURE_EXPIRED: 401,
  SIGNATURE_INVALID: 401,
  CONTENT_DIGEST_MISMATCH: 401,
  SIGNATURE_KEY_UNKNOWN: 401,
  SIGNATURE_KEY_REVOKED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  NO_CHECKPOINT: 404,
  EVENT_NOT_FOUND: 404,
  EPCIS_CAPTURE_NOT_FOUND: 404,
  METHOD_NOT_ALLOWED: 405,
  BODY_TOO_LARGE: 413,
  BUNDLE_TOO_LARGE: 413,
  EPCIS_CAPTURE_LIMIT_EXCEEDED: 413,
  URI_TOO_LONG: 414,
  UNSUPPORTED_MEDIA_TYPE: 415,
  BUNDLE_CANNOT_WITHHOLD: 422,
  CHAIN_TOO_LARGE: 422,
  GRAPH_TOO_LARGE: 422,
  POSITION_BEYOND_HEAD: 422,
  TREE_SIZE_BEYOND_LOG: 422,
  EVENT_NOT_IN_TREE: 422,
  EPCIS_EVENT_NOT_MAPPED: 422,
  EPCIS_QUANTITY_NOT_KGM: 422,
  EPCIS_IDENTIFIER_UNKNOWN: 422,
  EPCIS_FIELD_MISSING: 422,
  EPCIS_CORRECTION_NOT_CAPTURED: 422,
  EPCIS_PARTY_MISMATCH: 422,
  EPCIS_DUPLICATE_EVENT_ID: 422,
  TOO_MANY_REQUESTS: 429,
  HEADERS_TOO_LARGE: 431,
  /** nginx's code for a client that closed its connection before the answer: nobody receives it. */
  CLIENT_CLOSED_REQUEST: 499,
  INTERNAL_ERROR: 500,
  LOG_CORRUPT: 500,
  SERVICE_UNAVAILABLE: 503,
  STORE_UNAVAILABLE: 503,
  VIEWS_BEHIND: 503,
  LOG_BEHIND: 503,
  LOG_INTEGRITY_FAILED: 503,
  PROJECTOR_FAILED: 503,
  READS_BUSY: 503,
} as const;

export type ApiProblemCode = keyof typeof API_PROBLEMS;

/**
 * The GS1 EPCIS 2.0 REST binding's exception each EPCIS code stands for: its problem `type` is
 * `epcisException:{name}` and its `title` the name, as the binding's clients expect; `code` stays ours.
 */
export const EPCIS_EXCEPTIONS: Partial<Record<ApiProblemCode, string>> = {
  EPCIS_QUERY_PARAMETER_INVALID: 'QueryParameterException',
  EPCIS_DOCUMENT_INVALID: 'ValidationException',
  EPCIS_VERSION_UNSUPPORTED: 'ValidationException',
  EPCIS_CAPTURE_NOT_FOUND: 'NoSuchResourceException',
  EPCIS_CAPTURE_LIMIT_EXCEEDED: 'CaptureLimitExceededException',
  EPCIS_EVENT_NOT_MAPPED: 'ValidationException',
  EPCIS_QUANTITY_NOT_KGM: 'ValidationException',
  EPCIS_IDENTIFIER_UNKNOWN: 'ValidationException',
  EPCIS_FIELD_MISSING: 'ValidationException',
  EPCIS_CORRECTION_NOT_CAPTURED: 'ValidationException',
  EPCIS_PARTY_MISMATCH: 'ValidationException',
  EPCIS_DUPLICATE_EVENT_ID: 'ValidationException',
};

/** Every code the ledger answers with, and its one HTTP status. */
export const STATUS_OF_CODE: Readonly<Record<string, number>> = {
  ...API_PROBLEMS,
  ...Object.fromEntries(Object.entries(REFUSALS).map(([code, kind]) => [code, STATUS_OF_KIND[kind]])),
};
