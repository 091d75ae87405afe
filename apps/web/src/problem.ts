/** A problem+json refusal of the API (RFC 9457), as the explorer reads it. */
export interface Problem {
  readonly status: number;
  readonly code: string;
  readonly detail?: string;
  /** VALIDATION_FAILED: each field and what is wrong with it (`material.form`, `documents.0.number`). */
  readonly errors?: readonly { readonly field?: string; readonly messages?: readonly string[] }[];
  /** A domain refusal's figures (`{shippedGrams, receivedGrams}`), named by the decider. */
  readonly details?: Readonly<Record<string, unknown>>;
  readonly [key: string]: unknown;
}
