import type { ReadJob } from './read-jobs';

/**
 * What a read worker opens, read-only: the files the server writes. The views file always; the log's files
 * only where the log is a SQLite file of this machine. Without them (KurrentDB) the worker reads live views
 * only, which read nothing but the views (ADR 0020, amended).
 */
export interface ReadWorkerData {
  readonly viewsPath: string;
  readonly log?: { readonly storeFile: string; readonly integrityPath: string };
}

export type HostMethod = 'viewsReach' | 'signStatement';

/** The server's thread to a read worker. */
export type ToWorker =
  | { readonly type: 'job'; readonly id: number; readonly job: ReadJob }
  /** The answer to a call the job made of the server's thread (`failed`: the server keeps the error). */
  | { readonly type: 'answer'; readonly call: number; readonly value?: unknown; readonly failed?: boolean }
  /** The next few chunks of a bundle, please: the worker never runs further ahead of the client. */
  | { readonly type: 'pull'; readonly id: number }
  /**
   * The job's client went: a view or a bundle being prepared stops at its next step (its answer is an
   * error), a bundle being sent is dropped (no answer).
   */
  | { readonly type: 'cancel'; readonly id: number };

/** A read worker to the server's thread. Bytes are UTF-8 JSON text, transferred (not copied). */
export type FromWorker =
  | { readonly type: 'opened' }
  | { readonly type: 'open-failed'; readonly message: string }
  | {
      readonly type: 'call';
      readonly id: number;
      readonly call: number;
      readonly method: HostMethod;
      readonly args: unknown[];
    }
  /** A view's answer (null: the batch did not exist then). */
  | { readonly type: 'view'; readonly id: number; readonly bytes: ArrayBuffer | null }
  /** A bundle is prepared (or the batch did not exist): its chunks follow, one per pull. */
  | { readonly type: 'ready'; readonly id: number; readonly found: boolean }
  | { readonly type: 'chunk'; readonly id: number; readonly bytes: ArrayBuffer }
  | { readonly type: 'end'; readonly id: number }
  | { readonly type: 'error'; readonly id: number; readonly error: WorkerError };

/** An error of a job, as it crosses back: enough to rebuild the errors the server maps to problems. */
export interface WorkerError {
  readonly name: string;
  readonly message: string;
  readonly maxEvents?: number;
  /** A graph's limit (GraphTooLargeError). */
  readonly maxNodes?: number;
  readonly eventId?: string;
  readonly position?: bigint;
  /** The field path at which withholding would change a view (WithholdingChangesViewsError). */
  readonly path?: string;
  /** A call of the job's to the server's thread failed: the server rethrows the error it kept. */
  readonly hostCall?: boolean;
}
