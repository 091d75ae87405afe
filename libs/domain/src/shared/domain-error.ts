/** How a refusal is classified; the API maps each kind to one HTTP status. */
export type DomainErrorKind = 'invalid' | 'forbidden' | 'not_found' | 'conflict' | 'rule';

/** A refused command: a stable code (`BATCH_NOT_IN_CUSTODY`), a kind and a sentence for people. */
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

export const notFound = (code: string, message: string, details?: Record<string, unknown>) =>
  new DomainError(code, 'not_found', message, details);
export const conflict = (code: string, message: string, details?: Record<string, unknown>) =>
  new DomainError(code, 'conflict', message, details);
export const ruleBroken = (code: string, message: string, details?: Record<string, unknown>) =>
  new DomainError(code, 'rule', message, details);
export const forbidden = (code: string, message: string, details?: Record<string, unknown>) =>
  new DomainError(code, 'forbidden', message, details);
export const invalid = (code: string, message: string, details?: Record<string, unknown>) =>
  new DomainError(code, 'invalid', message, details);
