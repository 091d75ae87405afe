import { CorruptEventError, SqliteEventStore } from '@tracelode/event-store';
import {
  EvidenceTooLargeError,
  type Pace,
  until,
  WithholdingChangesViewsError,
  yieldEvery,
} from '@tracelode/evidence';
import { NotarisedLogReader } from '@tracelode/log';
import { GraphTooLargeError } from '@tracelode/projections';
import { ReadModelStore } from '@tracelode/read-models';
import { readlinkSync } from 'node:fs';
import { setPriority } from 'node:os';
import { parentPort, workerData } from 'node:worker_threads';
import {
  auditBundleChunks,
  liveViewJson,
  type ReadHandles,
  type ReadHost,
  type ReadJob,
  viewAsOf,
  type ViewHandles,
} from './read-jobs';
import type { FromWorker, HostMethod, ReadWorkerData, ToWorker, WorkerError } from './read-worker-protocol';

/**
 * A read worker (ADR 0020): runs views as of a moment, live views that walk a lot's downstream and audit
 * bundles on handles of its own, opened read-only on the server's files, so their allocation and garbage
 * collection never touch the request thread's heap (live views only, where the log is not a file of this
 * machine: KurrentDB). Answers go back as UTF-8 bytes, transferred.
 */
const port = parentPort!;
const post = (message: FromWorker, transfer: ArrayBuffer[] = []) => port.postMessage(message, transfer);
const encoder = new TextEncoder();

class HostCallFailed extends Error {}

/**
 * Linux: this thread runs at the lowest priority (nice 19) below the request thread, so on a busy machine a
 * request waiting for the CPU gets it before a long read does. Elsewhere it is left as it is.
 */
function yieldTheCpuToRequests(): void {
  try {
    const tid = Number(readlinkSync('/proc/thread-self').split('/').pop());
    if (Number.isInteger(tid)) setPriority(tid, 19);
  } catch {
    // not Linux, or not allowed: the worker keeps the process's priority
  }
}

/** The handles a worker reads through: the views, and the log's where it has its files. */
interface Opened {
  readonly views: ViewHandles;
  readonly all?: ReadHandles;
}

function open(data: ReadWorkerData): Opened {
  const views = ReadModelStore.openReadOnly(data.viewsPath);
  const viewHandles: ViewHandles = {
    lookup: (collection, key) => views.get(collection, key),
    readConsistently: (read) => views.readConsistently(read),
  };
  if (!data.log) return { views: viewHandles };
  const store = SqliteEventStore.openReadOnly(data.log.storeFile);
  const log = NotarisedLogReader.open(data.log.integrityPath);
  return { views: viewHandles, all: { ...viewHandles, store, log } };
}

let nextCall = 0;
/** Calls of the jobs to the server's thread, awaiting their answers; `id`: the job's. */
const calls = new Map<
  number,
  { readonly id: number; resolve: (value: unknown) => void; reject: (error: Error) => void }
>();
const hostFor = (id: number): ReadHost => {
  const call = <T>(method: HostMethod, args: unknown[]) =>
    new Promise<T>((resolve, reject) => {
      if (running.get(id)?.cancelled)
        return reject(new JobCancelled('before its call to the server’s thread'));
      const number = nextCall++;
      calls.set(number, { id, resolve: resolve as (value: unknown) => void, reject });
      post({ type: 'call', id, call: number, method, args });
    });
  return {
    viewsReach: (position) => call<void>('viewsReach', [position]),
    signStatement: (name, statement) => call<string>('signStatement', [name, statement]),
  };
};

const bundles = new Map<number, Generator<string>>();

/** The client of the job went (the server's thread said `cancel`): it stops at its next step. */
class JobCancelled extends Error {
  constructor(where: string) {
    super(`The read was cancelled ${where}: its client went`);
    this.name = 'JobCancelled';
  }
}
/** Jobs being prepared (a view as of a moment, a bundle until its first chunk), and whether cancelled. */
const running = new Map<number, { cancelled: boolean }>();

/**
 * How long a job works between yields to this worker's event loop: long enough to cost nothing, short
 * enough that a `cancel` is heard soon after its client went.
 */
const SLICE_MS = 20;

/** A job's pace: yields every slice, so messages are heard, and stops the job once it is cancelled. */
const paceOf = (id: number): Pace =>
  until(yieldEvery(SLICE_MS), () =>
    running.get(id)?.cancelled ? new JobCancelled('while it worked') : undefined,
  );

/** Cancels a job: one being prepared stops at its next step, its calls to the server's thread refused. */
function cancel(id: number): void {
  bundles.get(id)?.return(undefined);
  bundles.delete(id);
  const job = running.get(id);
  if (!job) return;
  job.cancelled = true;
  for (const [number, call] of calls) {
    if (call.id !== id) continue;
    calls.delete(number);
    call.reject(new JobCancelled('while it waited for the server’s thread'));
  }
}

function asWorkerError(error: unknown): WorkerError {
  if (error instanceof HostCallFailed)
    return { name: 'HostCallFailed', message: error.message, hostCall: true };
  if (error instanceof EvidenceTooLargeError)
    return { name: error.name, message: error.message, maxEvents: error.maxEvents };
  if (error instanceof GraphTooLargeError)
    return { name: error.name, message: error.message, maxNodes: error.maxNodes };
  if (error instanceof WithholdingChangesViewsError)
    return { name: error.name, message: error.message, path: error.path };
  if (error instanceof CorruptEventError)
    return { name: error.name, message: error.message, eventId: error.eventId, position: error.position };
  return {
    name: error instanceof Error ? error.name : 'Error',
    message: error instanceof Error ? (error.stack ?? error.message) : String(error),
  };
}

async function run(opened: Opened, id: number, job: ReadJob): Promise<void> {
  const host = hostFor(id);
  running.set(id, { cancelled: false });
  try {
    if (job.kind === 'live-view') return answerView(id, liveViewJson(opened.views, job));
    // The server's thread sends these only to a worker that has the log's files (ReadWorker.reads).
    const handles = opened.all;
    if (!handles) throw new Error(`This read worker reads the views only, not a ${job.kind} job`);
    if (job.kind === 'bundle') {
      const chunks = await auditBundleChunks(handles, host, job, paceOf(id));
      if (chunks) bundles.set(id, chunks);
      return post({ type: 'ready', id, found: chunks !== undefined });
    }
    answerView(id, await viewAsOf(handles, host, job, paceOf(id)));
  } catch (error) {
    post({ type: 'error', id, error: asWorkerError(error) });
  } finally {
    running.delete(id);
  }
}

/** A view's JSON as UTF-8 bytes, transferred; null for a batch that did not exist (or is not the reader's). */
function answerView(id: number, text: string | undefined): void {
  if (text === undefined) return post({ type: 'view', id, bytes: null });
  const bytes = encoder.encode(text).buffer;
  post({ type: 'view', id, bytes }, [bytes]);
}

/**
 * Chunks sent per pull: enough that a busy machine's scheduling delays are paid once per few chunks,
 * few enough that the server's thread never holds more than a quarter megabyte of a bundle it has not sent.
 */
const CHUNKS_PER_PULL = 4;

function pull(id: number): void {
  const chunks = bundles.get(id);
  if (!chunks) return;
  try {
    for (let sent = 0; sent < CHUNKS_PER_PULL; sent++) {
      const next = chunks.next();
      if (next.done) {
        bundles.delete(id);
        return post({ type: 'end', id });
      }
      const bytes = encoder.encode(next.value).buffer;
      post({ type: 'chunk', id, bytes }, [bytes]);
    }
  } catch (error) {
    bundles.delete(id);
    post({ type: 'error', id, error: asWorkerError(error) });
  }
}

function main(): void {
  yieldTheCpuToRequests();
  let opened: Opened;
  try {
    opened = open(workerData as ReadWorkerData);
  } catch (error) {
    post({ type: 'open-failed', message: error instanceof Error ? error.message : String(error) });
    return;
  }
  port.on('message', (message: ToWorker) => {
    switch (message.type) {
      case 'job':
        void run(opened, message.id, message.job);
        return;
      case 'answer': {
        const waiting = calls.get(message.call);
        calls.delete(message.call);
        if (message.failed) waiting?.reject(new HostCallFailed('The server refused the call'));
        else waiting?.resolve(message.value);
        return;
      }
      case 'pull':
        return pull(message.id);
      case 'cancel':
        return cancel(message.id);
      default: {
        const unknown: never = message;
        throw new Error(`Unknown message ${JSON.stringify(unknown)}`);
      }
    }
  });
  post({ type: 'opened' });
}

main();
