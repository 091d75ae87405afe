import { type Pace, until, yieldEvery } from '@tracelode/evidence';
import { Readable } from 'node:stream';
import { apiProblem } from '../common/problem-details';
import type { ReadLimits } from '../config/ledger-config';
import {
  auditBundleChunks,
  type BundleJob,
  liveViewJsonInSlices,
  type LiveViewJob,
  type ReadHandles,
  type ReadHost,
  viewAsOf,
  type ViewJob,
} from './read-jobs';
import { ReadCancelledError, type ReadWorker } from './read-workers';

/** Work between yields to the event loop when a read runs on the request thread (no worker can run it). */
const SLICE_MS = 5;

/**
 * Where the reads run: in read workers (one per read at once; none where the views are in memory), or,
 * for the jobs a worker cannot run, on the request thread's own handles, yielding.
 */
export interface ReadPlace {
  readonly workers: readonly ReadWorker[];
  readonly handles: ReadHandles;
}

interface Slot {
  readonly worker?: ReadWorker;
}

/**
 * Reads whose cost grows with a batch's history or its downstream (views as of a moment, live views that
 * walk every descendant, audit bundles): at most
 * `concurrent` run at once with `queued` more waiting their turn; beyond that a read is refused at once
 * (503 READS_BUSY, retryAfterSeconds) rather than queued without bound. Each runs in a read worker of its
 * own (ADR 0020) where the worker can read what the job needs — every job on the embedded store, live
 * views wherever the views are a file — and otherwise on the request thread, yielding every few ms
 * (ADR 0019). A bundle holds its turn until its last byte is sent or its client goes.
 */
export class ExpensiveReads {
  private readonly idle: Slot[];
  private readonly waiting: ((slot: Slot) => void)[] = [];

  constructor(
    private readonly limits: Pick<ReadLimits, 'concurrent' | 'queued'>,
    private readonly host: ReadHost,
    private readonly place: ReadPlace,
  ) {
    this.idle =
      place.workers.length > 0
        ? place.workers.map((worker) => ({ worker }))
        : Array.from({ length: limits.concurrent }, () => ({}));
  }

  /**
   * A view as of a moment, or a live one that walks the downstream, as JSON bytes; undefined when the
   * batch did not exist then (or the reader may see nothing of it).
   */
  async view(job: ViewJob | LiveViewJob, gone?: AbortSignal): Promise<Buffer | undefined> {
    const slot = await this.admit(gone);
    try {
      if (slot.worker?.reads(job.kind)) return await slot.worker.view(job, this.host, gone);
      const text =
        job.kind === 'live-view'
          ? await liveViewJsonInSlices(this.handles, job, SLICE_MS)
          : await viewAsOf(this.handles, hostUntilGone(this.host, gone), job, paceUntilGone(gone));
      return text === undefined ? undefined : Buffer.from(text);
    } catch (error) {
      // A read as of a moment stops at its next step once its client has gone, here or in its worker (a
      // live one runs out); any other failure is what it is, client or not.
      throw error instanceof ReadCancelledError ? clientGone() : error;
    } finally {
      this.release(slot);
    }
  }

  /** An audit bundle's bytes, streamed; undefined for a batch that did not exist at the checkpoint. */
  async bundle(job: BundleJob, gone?: AbortSignal): Promise<Readable | undefined> {
    const slot = await this.admit(gone);
    let bytes: Readable | undefined;
    try {
      if (slot.worker?.reads(job.kind)) bytes = await slot.worker.bundle(job, this.host, gone);
      else {
        const pace = paceUntilGone(gone);
        const chunks = await auditBundleChunks(this.handles, hostUntilGone(this.host, gone), job, pace);
        bytes = chunks && Readable.from(paced(chunks, pace));
      }
    } catch (error) {
      this.release(slot);
      throw error instanceof ReadCancelledError ? clientGone() : error;
    }
    if (!bytes) this.release(slot);
    else bytes.once('close', () => this.release(slot));
    return bytes;
  }

  private get handles(): ReadHandles {
    return this.place.handles;
  }

  /**
   * A turn: a free slot at once, else a place in the queue. A read whose client goes (`gone`) while it
   * waits leaves the queue, so the reads behind it move up and a dead read never takes a turn.
   */
  private async admit(gone?: AbortSignal): Promise<Slot> {
    if (gone?.aborted) throw clientGone();
    const free = this.idle.pop();
    if (free) return free;
    if (this.waiting.length < this.limits.queued) {
      return new Promise<Slot>((start, fail) => {
        const leave = () => {
          const place = this.waiting.indexOf(take);
          if (place >= 0) this.waiting.splice(place, 1);
          fail(clientGone());
        };
        // The slot is handed over.
        const take = (slot: Slot) => {
          gone?.removeEventListener('abort', leave);
          start(slot);
        };
        gone?.addEventListener('abort', leave, { once: true });
        this.waiting.push(take);
      });
    }
    const running = this.place.workers.length || this.limits.concurrent;
    throw apiProblem(
      'READS_BUSY',
      `${running} reads of whole histories are running and ${this.waiting.length} waiting; retry shortly`,
      { retryAfterSeconds: 1 },
    );
  }

  private release(slot: Slot): void {
    const next = this.waiting.shift();
    if (next) next(slot);
    else this.idle.push(slot);
  }
}

/** The answer to a read whose client went while it waited or ran: nobody receives it, the request log does. */
const clientGone = () =>
  apiProblem('CLIENT_CLOSED_REQUEST', 'The client went away before its read was answered');

/** Why a read on the request thread stops: its client went (answered as a worker's cancelled read is). */
const cancelledFor = (gone?: AbortSignal) =>
  gone?.aborted ? new ReadCancelledError('The client went before its read was answered') : undefined;

/** The request thread's pace for a read: yields every slice, and stops the read once its client has gone. */
const paceUntilGone = (gone?: AbortSignal): Pace => until(yieldEvery(SLICE_MS), () => cancelledFor(gone));

/**
 * The server's thread as a read on it calls it: its wait for the views ends once its client has gone, as a
 * read worker refuses the call (the wait itself runs out by its own time-out, answering nobody).
 */
const hostUntilGone = (host: ReadHost, gone?: AbortSignal): ReadHost => ({
  viewsReach: (position) => untilGone(host.viewsReach(position), gone),
  signStatement: (name, statement) => host.signStatement(name, statement),
});

/** `work`, or a cancelled read as soon as `gone` aborts. */
function untilGone<T>(work: Promise<T>, gone?: AbortSignal): Promise<T> {
  if (gone === undefined) return work;
  return new Promise<T>((resolve, reject) => {
    const leave = () => reject(new ReadCancelledError('The client went while its read waited for the views'));
    if (gone.aborted) return leave();
    gone.addEventListener('abort', leave, { once: true });
    work.then(resolve, reject).finally(() => gone.removeEventListener('abort', leave));
  });
}

/** Chunks with a yield to the event loop between them, for a bundle written on the request thread. */
async function* paced(chunks: Iterable<string>, pace: Pace): AsyncGenerator<string> {
  for (const chunk of chunks) {
    yield chunk;
    await pace();
  }
}
