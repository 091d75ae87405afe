import type { Actor } from '@tracelode/domain';
import type { SignedRequest } from '@tracelode/request-signatures';

/** Everything about a command that is not its payload: who, when, and how to recognise a retry. */
export interface CommandMeta {
  readonly commandId: string;
  readonly commandType: string;
  readonly actor: Actor;
  /** The ledger's clock when the request arrived (ISO 8601, UTC). */
  readonly recordedAt: string;
  readonly correlationId: string;
  readonly idempotencyKey?: string;
  /** SHA-256 of the request's method, path and canonical body: a retry must match it. */
  readonly requestSha256: string;
  /** The request's verified RFC 9421 signature, when the organisation signs its commands. */
  readonly signedRequest?: SignedRequest;
}
