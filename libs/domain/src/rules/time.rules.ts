import { refuse } from '../shared/domain-error';

/** How far ahead of the ledger's clock an `occurredAt` may be (clock skew between producer and ledger). */
export const MAX_CLOCK_SKEW_MS = 5 * 60 * 1000;

/** Physical events cannot have happened after the ledger recorded them. */
export function occurredAtMustNotBeInTheFuture(occurredAt: string, recordedAt: string): void {
  if (Date.parse(occurredAt) - Date.parse(recordedAt) > MAX_CLOCK_SKEW_MS) {
    throw refuse('OCCURRED_IN_FUTURE', `occurredAt ${occurredAt} is later than the ledger's clock`, {
      occurredAt,
      recordedAt,
    });
  }
}

/** A custody event cannot precede the event it follows (a receipt before its shipment, say). */
export function occurredAtMustNotPrecede(occurredAt: string, earlier: string, what: string): void {
  if (Date.parse(occurredAt) < Date.parse(earlier)) {
    throw refuse(
      'OCCURRED_BEFORE_PREVIOUS_EVENT',
      `occurredAt ${occurredAt} is before ${what} (${earlier})`,
      {
        occurredAt,
        previous: earlier,
      },
    );
  }
}
