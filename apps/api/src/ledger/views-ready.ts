import { Inject, Injectable } from '@nestjs/common';
import { ApiQuery } from '@nestjs/swagger';
import { Projector } from '@tracelode/projections';
import type { LedgerConfig } from '../config/ledger-config';
import { FOLLOWERS, LEDGER_CONFIG } from './ledger.tokens';
import type { FollowersWorker } from './followers';
import { apiProblem } from '../common/problem-details';
import { type DomainError, refuse } from '@tracelode/domain';

const POSITION = /^\d{1,19}$/;

/**
 * Read-your-writes: a query given `?minPosition=P` waits (bounded) until the views reflect P. Without
 * one, when the projector runs in the followers' worker (ADR 0029), a query waits (as bounded) for the
 * views to reflect what this server had committed when the query arrived, and then answers with what they
 * hold: a read after an acknowledged write sees it, as when the projector ran on the request thread and
 * was always through before the next request was read. The wait ends on the worker's message, not a poll.
 */
@Injectable()
export class ViewsReady {
  constructor(
    private readonly projector: Projector,
    @Inject(LEDGER_CONFIG) private readonly config: LedgerConfig,
    @Inject(FOLLOWERS) private readonly followers: { worker?: FollowersWorker },
  ) {}

  async atLeast(minPosition: string | undefined): Promise<void> {
    if (minPosition === undefined || minPosition === '') {
      const acknowledged = this.followers.worker?.acknowledged ?? 0n;
      if (acknowledged > this.projector.position)
        await this.projector.waitFor(acknowledged, this.config.minPositionWaitMs);
      return;
    }
    if (!POSITION.test(minPosition)) {
      throw apiProblem('INVALID_POSITION', 'minPosition must be a log position (digits)');
    }
    if (await this.projector.waitFor(BigInt(minPosition), this.config.minPositionWaitMs)) return;
    throw apiProblem(
      'VIEWS_BEHIND',
      `The views reflect position ${this.projector.position}, not yet ${minPosition}; retry shortly`,
      { retryAfterSeconds: 1 },
    );
  }
}

/** OpenAPI for the read-your-writes parameter every view route takes. */
export const ApiMinPosition = () =>
  ApiQuery({
    name: 'minPosition',
    required: false,
    description: 'Wait (up to 5 s) until the view reflects this log position; 503 with Retry-After otherwise',
  });

/** The one 404 for a batch no view knows. */
export const batchNotFound = (batchId: string): DomainError =>
  refuse('BATCH_NOT_FOUND', `Batch ${batchId} does not exist`);
