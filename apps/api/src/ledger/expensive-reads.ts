import { type Pace, yieldEvery } from '@tracelode/evidence';
import { apiProblem } from '../common/problem-details';
import type { ReadLimits } from '../config/ledger-config';

/** Work between yields to the event loop: a request waiting behind an expensive read waits at most about this. */
const SLICE_MS = 5;

/**
 * Reads whose cost grows with a batch's history (views as of a moment, audit bundles) run cooperatively on
 * the request thread: each yields to the event loop every few milliseconds of work, and at most
 * `concurrent` run at once with `queued` more waiting their turn; beyond that a read is refused at once
 * (503 READS_BUSY, retryAfterSeconds) rather than queued without bound. See ADR 0019.
 */
export class ExpensiveReads {
  private running = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(private readonly limits: Pick<ReadLimits, 'concurrent' | 'queued'>) {}

  async run<T>(work: (pace: Pace) => Promise<T>): Promise<T> {
    if (this.running < this.limits.concurrent) this.running++;
    else if (this.waiting.length < this.limits.queued) {
      await new Promise<void>((start) => this.waiting.push(start)); // the slot is handed over, still counted
    } else {
      throw apiProblem(
        'READS_BUSY',
        `${this.running} reads of whole histories are running and ${this.waiting.length} waiting; retry shortly`,
        { retryAfterSeconds: 1 },
      );
    }
    try {
      return await work(yieldEvery(SLICE_MS));
    } finally {
      const next = this.waiting.shift();
      if (next) next();
      else this.running--;
    }
  }
}
