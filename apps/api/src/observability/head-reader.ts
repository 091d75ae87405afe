import { withTimeout } from '../common/with-timeout';

/** How long readiness and a metrics scrape wait for the store to say where its log's head is. */
export const HEAD_TIMEOUT_MS = 2000;

/** Where the log's head is, or why the store did not say. */
export type HeadAnswer = { readonly head: bigint } | { readonly failure: string };

/**
 * The log's head for the operating routes (`/health/ready`, `/metrics`): one read of the store at a time,
 * shared by every caller that asks while it runs, each answered within `timeoutMs`. A read that has
 * outlived that is not waited on again: while a store hangs (KurrentDB accepting connections but never
 * answering), every later probe and scrape is answered at once and leaves nothing behind on the read that
 * never ends; the first one after it ends reads the store again.
 */
export class HeadReader {
  private reading: { readonly answer: Promise<HeadAnswer>; late: boolean } | undefined;

  constructor(
    private readonly headPosition: () => Promise<bigint>,
    readonly timeoutMs = HEAD_TIMEOUT_MS,
  ) {}

  read(): Promise<HeadAnswer> {
    const reading = this.reading ?? this.start();
    if (reading.late) {
      return Promise.resolve({
        failure: `no answer within ${this.timeoutMs} ms (the last read of the head has not ended)`,
      });
    }
    return reading.answer;
  }

  private start(): NonNullable<HeadReader['reading']> {
    const settled = (async () => this.headPosition())().then(
      (head): HeadAnswer => ({ head }),
      (error: unknown): HeadAnswer => ({ failure: error instanceof Error ? error.message : String(error) }),
    );
    // `settled` never fails: a failure here is the time allowed running out.
    const answer = withTimeout(settled, this.timeoutMs).catch((error: Error): HeadAnswer => {
      reading.late = true;
      return { failure: error.message };
    });
    const reading = { answer, late: false };
    this.reading = reading;
    void settled.then(() => {
      if (this.reading === reading) this.reading = undefined;
    });
    return reading;
  }
}
