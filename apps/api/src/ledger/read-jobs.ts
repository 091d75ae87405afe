import { type EventStore, positionAt } from '@tracelode/event-store';
import {
  auditBundleJson,
  auditBundleNdjson,
  collectEvidence,
  type NotarisedLog,
  type Pace,
  prepareAuditBundle,
} from '@tracelode/evidence';
import type { PublicKeyDocument, SignedCheckpoint } from '@tracelode/log';
import type { Reader, ReadMoment, ViewLookup } from '@tracelode/projections';
import { projectEvidence } from '@tracelode/evidence';
import { type BatchViewKind, batchViewOf } from './batch-view-kinds';
import { ReaderViews } from './reader-views';

/**
 * The expensive reads (views as of a moment, audit bundles) as plain functions of the handles they read:
 * the same code runs in a read worker, on handles of its own, and on the request thread, on the server's.
 * Jobs are structured-cloneable, so they cross to a worker as they are.
 */
export interface ViewJob {
  readonly kind: 'view';
  readonly view: BatchViewKind;
  readonly batchId: string;
  /** A log position already checked against the head, or an instant (ms) whose position the job finds. */
  readonly at: { readonly position: bigint } | { readonly instant: number };
  readonly maxEvents: number;
  /** Who reads: the view is cut to what it may see at that moment (docs/visibility.md). */
  readonly reader: Reader;
}

export interface BundleJob {
  readonly kind: 'bundle';
  readonly batchId: string;
  /** One JSON document, or NDJSON lines (header, events, trailer). */
  readonly form: 'document' | 'stream';
  readonly checkpoint: SignedCheckpoint;
  readonly publicKey: PublicKeyDocument;
  readonly createdAt: string;
  readonly maxEvents: number;
}

export type ReadJob = ViewJob | BundleJob;

/** What a job reads. */
export interface ReadHandles {
  readonly store: EventStore;
  /** The live views. */
  readonly lookup: ViewLookup;
  readonly log: NotarisedLog;
}

/** What only the server's own thread can do for a job: wait for its projector, sign with its key. */
export interface ReadHost {
  viewsReach(position: bigint): Promise<void>;
  signStatement(name: string, statement: Record<string, unknown>): Promise<string>;
}

/** A batch view as of a moment, as JSON text; undefined when the batch did not exist then. */
export async function viewAsOf(
  handles: ReadHandles,
  host: ReadHost,
  job: ViewJob,
  pace: Pace,
): Promise<string | undefined> {
  const { histories, read } = batchViewOf(job.view);
  const position =
    'position' in job.at ? job.at.position : await positionAt(handles.store, new Date(job.at.instant));
  await host.viewsReach(position);
  // The reader's relationships as they stood then, asked before any evidence is gathered: a stranger's read
  // costs a lookup (ADR 0023).
  const policy = new ReaderViews(
    job.reader,
    handles.lookup,
    await readMomentAt(handles.store, position, job.at),
  );
  const access = policy.access(job.batchId);
  if (!access) return undefined;
  const batchIds = histories(job.batchId, handles.lookup);
  const { events } = await collectEvidence(handles.store, handles.lookup, batchIds, position, {
    maxEvents: job.maxEvents,
    pace,
  });
  const lookup = await projectEvidence(events, pace);
  const view = read(job.batchId, lookup);
  return view === undefined
    ? undefined
    : JSON.stringify(policy.shown(job.view, job.batchId, view, access, lookup));
}

/**
 * The moment a read as of a position is: that position, and the instant a disclosure's `until` is judged
 * at — the `asOf` instant itself, or when the event at the position was recorded.
 */
async function readMomentAt(store: EventStore, position: bigint, at: ViewJob['at']): Promise<ReadMoment> {
  if ('instant' in at) return { position, at: at.instant };
  for await (const stored of store.readAll(position)) return { position, at: Date.parse(stored.recordedAt) };
  return { position, at: Date.now() };
}

/**
 * An audit bundle as chunks of text, in the form asked for; undefined when the batch did not exist at the
 * checkpoint. Gathering, projecting and signing happen before it returns (so a size refusal comes before
 * any byte is sent); each chunk's events are proved and serialised only when the chunk is taken.
 */
export async function auditBundleChunks(
  handles: ReadHandles,
  host: ReadHost,
  job: BundleJob,
  pace: Pace,
): Promise<Generator<string> | undefined> {
  const signing = {
    checkpoint: job.checkpoint,
    publicKey: job.publicKey,
    createdAt: job.createdAt,
    signStatement: (name: string, statement: Record<string, unknown>) => host.signStatement(name, statement),
  };
  const prepared = await prepareAuditBundle(
    handles.store,
    handles.log,
    handles.lookup,
    job.batchId,
    signing,
    { maxEvents: job.maxEvents, pace },
  );
  if (!prepared) return undefined;
  return job.form === 'stream' ? auditBundleNdjson(prepared) : auditBundleJson(prepared);
}
