import { Logger } from '@nestjs/common';
import { CorruptEventError } from '@tracelode/event-store';
import { EvidenceTooLargeError, WithholdingChangesViewsError } from '@tracelode/evidence';
import { GraphTooLargeError } from '@tracelode/projections';
import { Readable } from 'node:stream';
import { Worker } from 'node:worker_threads';
import type { BundleJob, LiveViewJob, ReadHost, ReadJob, ViewJob } from './read-jobs';
import type { FromWorker, ReadWorkerData, ToWorker, WorkerError } from './read-worker-protocol';

/** A read whose client went was cancelled before its answer: nobody is waiting for it. */
export class ReadCancelledError extends Error {
  override readonly name = 'ReadCancelledError';
}

/** A job on its way through a worker: its first answer, then (a bundle) its chunks. */
interface Pending {
  readonly host: ReadHost;
  /** An error a call of the job's to this thread raised: rethrown as it is when the job fails with it. */
  hostError?: Error;
  answered(message: FromWorker): void;
  failed(error: unknown): void;
}

/**
 * One read worker as the server's thread sees it (ADR 0020): started once, restarted after it dies, one
 * job at a time (the expensive-reads queue hands it out). A view comes back as one buffer; a bundle as a
 * Readable that asks the worker for the next few chunks only when the last have been taken (backpressure).
 */
export class ReadWorker {
  private worker?: Worker;
  private opened?: Promise<void>;
  private nextId = 0;
  private readonly jobs = new Map<number, Pending>();
  private readonly logger = new Logger('ReadWorker');

  constructor(
    private readonly script: string,
    private readonly data: ReadWorkerData,
  ) {}

  /**
   * Whether this worker can run a job of `kind`: a live view reads only the views; a view as of a moment
   * and a bundle need the log's files, which a worker has only where the log is a SQLite file.
   */
  reads(kind: ReadJob['kind']): boolean {
    return kind === 'live-view' || this.data.log !== undefined;
  }

  start(): void {
    if (this.worker) return;
    const worker = new Worker(this.script, { workerData: this.data });
    this.worker = worker;
    this.opened = new Promise<void>((resolve, reject) => {
      worker.on('message', (message: FromWorker) => {
        if (message.type === 'opened') return resolve();
        if (message.type === 'open-failed') {
          reject(new Error(`A read worker cannot open the ledger's files: ${message.message}`));
          void worker.terminate();
          return;
        }
        this.receive(message);
      });
      worker.once('exit', (code) => {
        const error = new Error(`The read worker stopped (exit code ${code})`);
        reject(error);
        if (this.worker === worker) this.worker = undefined;
        for (const pending of this.jobs.values()) pending.failed(error);
        this.jobs.clear();
      });
      worker.on('error', (error) =>
        this.logger.error(`A read worker failed: ${error.stack ?? error.message}`),
      );
    });
    this.opened.catch(() => undefined); // a job waiting on it sees the error
  }

  async stop(): Promise<void> {
    const worker = this.worker;
    this.worker = undefined;
    await worker?.terminate();
  }

  /**
   * A view's JSON (as of a moment, or live), or undefined when the batch did not exist then. Once `gone`
   * aborts, a view as of a moment stops at its next step in the worker, and this rejects when it has.
   */
  async view(job: ViewJob | LiveViewJob, host: ReadHost, gone?: AbortSignal): Promise<Buffer | undefined> {
    const answer = await this.send(job, host, this.nextId++, gone);
    if (answer.type !== 'view') throw new Error(`A read worker answered a view with ${answer.type}`);
    return answer.bytes === null ? undefined : Buffer.from(answer.bytes);
  }

  /**
   * A bundle's bytes as a stream, pulled from the worker chunk by chunk; undefined for an unknown batch.
   * Once `gone` aborts while the worker prepares it, the preparation stops and this rejects.
   */
  async bundle(job: BundleJob, host: ReadHost, gone?: AbortSignal): Promise<Readable | undefined> {
    const id = this.nextId++;
    const answer = await this.send(job, host, id, gone);
    if (answer.type !== 'ready') throw new Error(`A read worker answered a bundle with ${answer.type}`);
    if (!answer.found) {
      this.jobs.delete(id);
      return undefined;
    }
    let ended = false;
    const readable = new Readable({
      read: () => this.post({ type: 'pull', id }),
      destroy: (error, callback) => {
        if (!ended) this.post({ type: 'cancel', id }); // the client went away: the worker drops the bundle
        this.jobs.delete(id);
        callback(error);
      },
    });
    const pending = this.jobs.get(id)!;
    pending.answered = (message) => {
      if (message.type === 'chunk') readable.push(Buffer.from(message.bytes));
      else if (message.type === 'end') {
        ended = true;
        this.jobs.delete(id);
        readable.push(null);
      } else if (message.type === 'error') {
        ended = true;
        readable.destroy(toError(message.error, pending));
      }
    };
    pending.failed = (error) => {
      ended = true;
      readable.destroy(error as Error);
    };
    return readable;
  }

  /**
   * Sends a job and resolves with its first answer (the view, or `ready`), or rejects with its error. When
   * `gone` aborts first, the worker is told to cancel it; the answer is still awaited, so the worker is
   * free again when this settles.
   */
  private async send(job: ReadJob, host: ReadHost, id: number, gone?: AbortSignal): Promise<FromWorker> {
    if (!this.worker) this.start();
    await this.opened;
    // Gone while the worker started (its abort event is not heard again): the job is not handed to it.
    if (gone?.aborted)
      throw new ReadCancelledError('The client went before its read was handed to a read worker');
    const cancel = () => this.post({ type: 'cancel', id });
    gone?.addEventListener('abort', cancel, { once: true });
    try {
      return await this.answerTo(job, host, id);
    } finally {
      gone?.removeEventListener('abort', cancel);
    }
  }

  private answerTo(job: ReadJob, host: ReadHost, id: number): Promise<FromWorker> {
    return new Promise<FromWorker>((resolve, reject) => {
      const pending: Pending = {
        host,
        answered: (message) => {
          if (message.type === 'error') {
            this.jobs.delete(id);
            reject(toError(message.error, pending));
          } else {
            if (message.type === 'view') this.jobs.delete(id);
            resolve(message);
          }
        },
        failed: reject,
      };
      this.jobs.set(id, pending);
      this.post({ type: 'job', id, job });
    });
  }

  private receive(message: Exclude<FromWorker, { type: 'opened' | 'open-failed' }>): void {
    const pending = this.jobs.get(message.id);
    if (!pending) return; // a job given up (its client gone)
    if (message.type !== 'call') return pending.answered(message);
    const { host } = pending;
    const answer =
      message.method === 'viewsReach'
        ? host.viewsReach(message.args[0] as bigint)
        : host.signStatement(message.args[0] as string, message.args[1] as Record<string, unknown>);
    answer.then(
      (value: unknown) => this.post({ type: 'answer', call: message.call, value }),
      (error: unknown) => {
        pending.hostError = error instanceof Error ? error : new Error(String(error));
        this.post({ type: 'answer', call: message.call, failed: true });
      },
    );
  }

  private post(message: ToWorker): void {
    this.worker?.postMessage(message);
  }
}

/** The error a worker reported, as the server's code knows it. */
function toError(error: WorkerError, pending: Pending): Error {
  if (error.hostCall && pending.hostError) return pending.hostError;
  if (error.name === 'JobCancelled') return new ReadCancelledError(error.message);
  if (error.maxEvents !== undefined && error.name === 'EvidenceTooLargeError')
    return new EvidenceTooLargeError(error.maxEvents);
  if (error.maxNodes !== undefined && error.name === 'GraphTooLargeError')
    return new GraphTooLargeError(error.maxNodes);
  if (error.name === 'WithholdingChangesViewsError' && error.path !== undefined)
    return new WithholdingChangesViewsError(error.path);
  if (error.name === 'CorruptEventError' && error.eventId !== undefined && error.position !== undefined)
    return new CorruptEventError(error.message, error.position, error.eventId);
  return new Error(`A read worker failed: ${error.message}`);
}
