import { Worker } from 'node:worker_threads';
import { EventStoreUnavailableError } from '../event-store.errors';
import type { EncodedWrite } from '../validate-append';
import { fromWire, type GroupWritten } from './sqlite-group-writer';
import type { FromWriter, ToWriter, WriterWorkerData } from './sqlite-writer-protocol';

type Written = GroupWritten & { readonly othersCommitted: boolean };

/**
 * The worker stopped with a group in flight: its transaction may or may not have committed (the store
 * looks for the group's events in the log). A storage fault the worker reports is not this: its group
 * was rolled back.
 */
export class WriterLostError extends EventStoreUnavailableError {}

interface Pending {
  readonly resolve: (written: Written) => void;
  readonly reject: (error: Error) => void;
}

/**
 * The store's side of the writer's worker (ADR 0037): sends it one group at a time and settles the group
 * when the worker says what became of it. A worker that stops or cannot open the file fails the group in
 * flight with `WriterLostError` (the store then looks for the group's events in the log); the next group
 * starts a new worker.
 */
export class SqliteWriterThread {
  private worker: Worker | undefined;
  private pending: Pending | undefined;
  private closing: Promise<void> | undefined;

  constructor(
    private readonly script: string,
    private readonly data: WriterWorkerData,
  ) {}

  /**
   * Writes one group (never two at once: the store waits for each); `othersCommitted`: another connection
   * committed to the file since the worker's previous group, so the heads the store knows may be stale.
   */
  write(group: readonly (readonly EncodedWrite[])[]): Promise<Written> {
    if (this.pending) throw new Error('SqliteWriterThread: a group is already being written');
    const worker = this.started();
    return new Promise<Written>((resolve, reject) => {
      this.pending = { resolve, reject };
      worker.postMessage({ type: 'write', group } satisfies ToWriter);
    });
  }

  /** Stops the worker once the group in flight, if any, is settled. */
  close(): Promise<void> {
    this.closing ??= this.stop();
    return this.closing;
  }

  private async stop(): Promise<void> {
    const worker = this.worker;
    if (!worker) return;
    const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
    worker.postMessage({ type: 'close' } satisfies ToWriter);
    await exited;
  }

  private started(): Worker {
    if (this.worker) return this.worker;
    const worker = new Worker(this.script, { workerData: this.data });
    this.worker = worker;
    worker.on('message', (message: FromWriter) => this.receive(message));
    worker.on('error', (error) => this.fail(`The writer thread failed: ${error.message}`));
    worker.once('exit', (code) => {
      if (this.worker === worker) this.worker = undefined;
      this.fail(`The writer thread stopped (exit code ${code})`);
    });
    return worker;
  }

  private receive(message: FromWriter): void {
    switch (message.type) {
      case 'written':
        this.settle()?.resolve({
          outcomes: message.outcomes.map(fromWire),
          seconds: message.seconds,
          dataVersion: message.dataVersion,
          othersCommitted: message.othersCommitted,
        });
        return;
      case 'failed':
        // The store forgets every head it knows after a failed group.
        this.settle()?.reject(new EventStoreUnavailableError(message.message));
        return;
      case 'unavailable':
        this.fail(`The writer thread cannot open the store: ${message.message}`);
        return;
    }
  }

  private fail(reason: string): void {
    this.settle()?.reject(new WriterLostError(reason));
  }

  private settle(): Pending | undefined {
    const pending = this.pending;
    this.pending = undefined;
    return pending;
  }
}
