/**
 * The two times of every event (ADR 0017): `occurredAt`, chosen by the caller, and `recordedAt`, the
 * ledger's clock when it learnt of it. What the ledger's own policy says about the distance between them.
 */

const SECOND_MS = 1000;
const HOUR_MS = 60 * 60 * SECOND_MS;
const DAY_MS = 24 * HOUR_MS;

/** The ledger's configured policy, passed to every decision with the command (`metadata.policy`). */
export interface LedgerPolicy {
  /** How long after it occurred an event may still be recorded (a regulator's excepted). */
  readonly maxRecordingDelayMs: number;
}

/** The default of TRACELODE_MAX_RECORDING_DELAY: 30 days. */
export const DEFAULT_MAX_RECORDING_DELAY_MS = 30 * DAY_MS;

/** The policy a decision applies when none is given (decider specs, tools deciding in memory). */
export const DEFAULT_LEDGER_POLICY: LedgerPolicy = { maxRecordingDelayMs: DEFAULT_MAX_RECORDING_DELAY_MS };

/** An event recorded more than this after it occurred is marked `late` in the views. */
export const LATE_AFTER_MS = 72 * HOUR_MS;

/** Whether an event was recorded more than 72 hours after it occurred (a late report, shown in the views). */
export const isLate = (occurredAt: string, recordedAt: string): boolean =>
  Date.parse(recordedAt) - Date.parse(occurredAt) > LATE_AFTER_MS;

/** A delay for people: `30 days`, `72 hours`, `90 seconds` (the largest unit that divides it). */
export function describeDuration(ms: number): string {
  const [size, unit] =
    ms % DAY_MS === 0
      ? [ms / DAY_MS, 'day']
      : ms % HOUR_MS === 0
        ? [ms / HOUR_MS, 'hour']
        : [ms / SECOND_MS, 'second'];
  return `${size} ${unit}${size === 1 ? '' : 's'}`;
}
