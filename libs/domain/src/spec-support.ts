import { DomainError } from './shared/domain-error';

/** For decider specs: the DomainError a run refuses with; fails the test when it is not refused. */
export const refusal = (run: () => unknown): DomainError => {
  try {
    run();
  } catch (error) {
    if (error instanceof DomainError) return error;
    throw error;
  }
  throw new Error('the command was not refused');
};

/** For decider specs whose fixtures are a backfill (months between occurredAt and recordedAt). */
export const BACKFILL = { maxRecordingDelayMs: Number.POSITIVE_INFINITY };
