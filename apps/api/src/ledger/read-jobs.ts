import { type EventStore, positionAt, type StoredEvent } from '@tracelode/event-store';
import {
  auditBundleJson,
  auditBundleNdjson,
  collectEvidence,
  type NotarisedLog,
  type Pace,
  prepareAuditBundle,
} from '@tracelode/evidence';
import type { PublicKeyDocument, SignedCheckpoint } from '@tracelode/log';
import { type Reader, type ReadMoment, type ViewLookup, withheldFor } from '@tracelode/projections';
import { projectEvidence } from '@tracelode/evidence';
import { type BatchViewKind, batchViewOf, type ViewLimits } from './batch-view-kinds';
import { ReaderViews } from './reader-views';

/**
 * The expensive reads (views as of a moment, live views that walk a lot's whole downstream, audit bundles)
 * as plain functions of the handles they read: the same code runs in a read worker, on handles of its own,
 * and on the request thread, on the server's. Jobs are structured-cloneable, so they cross to a worker as
 * they are.
 */
export interface ViewJob {
  readonly kind: 'view';
  readonly view: BatchViewKind;
  readonly batchId: string;
  /** A log position already checked against the head, or an instant (ms) whose position the job finds. */
  readonly at: { readonly position: bigint } | { readonly instant: number };
  readonly maxEvents: number;
  /** Most batches a graph view may hold (TRACELODE_MAX_GRAPH_NODES). */
  readonly maxGraphNodes: number;
  /** Who reads: the view is cut to what it may see at that moment (docs/visibility.md). */
  readonly reader: Reader;
}

/**
 * A batch view as it is now (no moment), for the views that walk every descendant of the lot, listed or
 * not (`walksDownstream`): its cost follows the lot's downstream, which may be tens of thousands of lots.
 */
export interface LiveViewJob {
  readonly kind: 'live-view';
  readonly view: BatchViewKind;
  readonly batchId: string;
  /** Most batches a graph view may hold (TRACELODE_MAX_GRAPH_NODES), counting those the reader may list. */
  readonly maxGraphNodes: number;
  /** Who reads: the view is cut to what it may see now (docs/visibility.md). */
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
  /** Who reads: fields it may not see are withheld, each still committed by its digest (ADR 0022, 0023). */
  readonly reader: Reader;
}

export type ReadJob = ViewJob | LiveViewJob | BundleJob;

/** What a live view reads: the views, nothing else. */
export interface ViewHandles {
  /** The live views. */
  readonly lookup: ViewLookup;
  /** Runs `read` in one read transaction of the live views, given their checkpoint. */
  readConsistently<T>(read: (checkpoint: bigint) => T): T;
}

/** What a job reads: views as of a moment and bundles read the log as well. */
export interface ReadHandles extends ViewHandles {
  readonly store: EventStore;
  readonly log: NotarisedLog;
}

/** What only the server's own thread can do for a job: wait for its projector, sign with its key. */
export interface ReadHost {
  viewsReach(position: bigint): Promise<void>;
  signStatement(name: string, statement: Record<string, unknown>): Promise<string>;
}

/**
 * A batch view as it is now, as the reader may see it, read through `lookup` (the views of one read
 * transaction): the policy at `at`, and descendants as the reader may list them (a graph's limit counts
 * only those, docs/visibility.md). Undefined when the batch does not exist, or the reader may see nothing
 * of it (asked before any work). Every live batch view is read through here: on the request thread, or
 * (the downstream views) in a read worker.
 */
export function liveView(
  query: Pick<LiveViewJob, 'view' | 'batchId' | 'maxGraphNodes' | 'reader'>,
  lookup: ViewLookup,
  options: { readonly at?: number; readonly certificationOf?: ViewLimits['certificationOf'] } = {},
): unknown {
  const { read } = batchViewOf(query.view);
  const live = onceEach(lookup);
  const policy = new ReaderViews(query.reader, lookup, { at: options.at ?? Date.now() });
  const access = policy.access(query.batchId);
  if (!access) return undefined;
  const listed = (id: string) => policy.listsDescendant(access, id);
  const { maxGraphNodes } = query;
  const view = read(query.batchId, live, { maxGraphNodes, listed, certificationOf: options.certificationOf });
  return view ? policy.shown(query.view, query.batchId, view, access, live) : undefined;
}

/**
 * Thrown by a lookup once its read's time on this thread is spent: a sliced read runs again from what it
 * has read; a read within a budget is handed on.
 */
class SliceSpent extends Error {}
const SLICE_SPENT = new SliceSpent('The slice is spent');

/** What `liveViewWithin` answers when the read did not finish within its budget. */
export const OVER_BUDGET = Symbol('over budget');

/**
 * A live view as `liveView` reads it, if its lookups are done within `budgetMs`; else OVER_BUDGET, at the
 * first lookup past the budget (what it had read is dropped). The request thread answers a small
 * downstream this way at once, and hands only a long walk to a read worker, so small reads never wait
 * for, or are refused by, the expensive reads' queue.
 */
export function liveViewWithin(
  query: Pick<LiveViewJob, 'view' | 'batchId' | 'maxGraphNodes' | 'reader'>,
  lookup: ViewLookup,
  budgetMs: number,
  options: { readonly certificationOf?: ViewLimits['certificationOf'] } = {},
  /** Milliseconds (a test's clock ticks by the call). */
  clock: () => number = () => performance.now(),
): unknown {
  const ends = clock() + budgetMs;
  const timed: ViewLookup = (collection, key) => {
    if (clock() > ends) throw SLICE_SPENT;
    return lookup(collection, key);
  };
  try {
    return liveView(query, timed, options);
  } catch (error) {
    if (error === SLICE_SPENT) return OVER_BUDGET;
    throw error;
  }
}

/** A live view as JSON text, read in one read transaction of the handles' views (a read worker's own). */
export function liveViewJson(handles: ViewHandles, job: LiveViewJob): string | undefined {
  const view = handles.readConsistently(() => liveView(job, handles.lookup));
  return view === undefined ? undefined : JSON.stringify(view);
}

/** Times the views may move under a sliced read before it finishes in one go. */
const MAX_RESTARTS = 3;

/**
 * A live view as JSON text, read on the request thread where there are no read workers (views in memory;
 * ADR 0020), a slice at a time. The view functions are synchronous, so a slice cannot pause one: the read
 * instead keeps every document it has looked up, and once a slice of new lookups has run it stops
 * (SliceSpent), yields to the event loop and runs again from the start, its documents already read
 * answering at once from memory — each run goes a slice further, until one completes. What still holds
 * the thread is the replay, which grows with the read: for 30,100 lots, `/health` waited up to
 * 0.25–0.53 s (ADR 0020), not the whole walk's 0.6–1.9 s. Each run is one read transaction; when the
 * views' checkpoint has moved since the last, what was read is dropped and the read starts over, so the
 * answer is of one checkpoint, as on a worker. After MAX_RESTARTS such moves (views written without
 * pause), the next run completes in one go, holding the thread for the rest of the walk as every live
 * read did before.
 */
export async function liveViewJsonInSlices(
  handles: ViewHandles,
  job: LiveViewJob,
  sliceMs: number,
  /** Milliseconds, for the slices (a test's clock ticks by the call). */
  clock: () => number = () => performance.now(),
): Promise<string | undefined> {
  const at = Date.now();
  const read = new Map<string, unknown>();
  let readAt: bigint | undefined;
  let restarts = 0;
  for (;;) {
    const runStarted = clock();
    let sliceEnds: number | undefined;
    const lookup: ViewLookup = (collection, key) => {
      const id = `${collection}\u0000${key}`;
      if (read.has(id)) return read.get(id);
      // A slice is of new lookups, `sliceMs` or as long as the run's replay of what it had read took,
      // whichever is longer: replays never cost more than the reading itself, so a large read costs at
      // most about three times one read in one go, each run holding the thread at most about twice its
      // replay. Its first lookup is always made: every run reads on.
      if (sliceEnds === undefined) {
        const now = clock();
        sliceEnds = now + Math.max(sliceMs, now - runStarted);
      } else if (restarts < MAX_RESTARTS && clock() > sliceEnds) throw SLICE_SPENT;
      const found = handles.lookup(collection, key);
      read.set(id, found);
      return found;
    };
    try {
      const view = handles.readConsistently((checkpoint) => {
        if (checkpoint !== readAt) {
          if (readAt !== undefined) restarts++;
          read.clear();
          readAt = checkpoint;
        }
        return liveView(job, lookup, { at });
      });
      return view === undefined ? undefined : JSON.stringify(view);
    } catch (error) {
      if (error !== SLICE_SPENT) throw error;
    }
    await new Promise<void>((resume) => setImmediate(resume));
  }
}

/**
 * A lookup that reads each document once for one read: a chain's views read the same documents several
 * times (the certification walks the chain's custody views, the policy walks them again, the graph reads
 * them too), each a SQLite row parsed from JSON. Read paths never change what a lookup hands them.
 */
function onceEach(lookup: ViewLookup): ViewLookup {
  const read = new Map<string, unknown>();
  return (collection, key) => {
    const id = `${collection}\u0000${key}`;
    if (read.has(id)) return read.get(id);
    const found = lookup(collection, key);
    read.set(id, found);
    return found;
  };
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
  const listed = (id: string) => policy.listsDescendant(access, id);
  const view = read(job.batchId, lookup, { maxGraphNodes: job.maxGraphNodes, listed });
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
  // The reader's relationships as of the checkpoint: a full reader gets every field; a participant or a
  // downstream holder gets what docs/visibility.md gives it, the rest withheld (withheldFor).
  const moment = { position: BigInt(job.checkpoint.treeSize), at: Date.parse(job.createdAt) };
  const access = new ReaderViews(job.reader, handles.lookup, moment).access(job.batchId);
  if (!access) return undefined;
  let withhold: ((event: StoredEvent) => string[]) | undefined;
  if (access.kind !== 'full') {
    // The chain's mines and transformation sites are named to every reader of it (docs/visibility.md):
    // found from the same evidence the bundle gathers, before its fields are chosen.
    const { events } = await collectEvidence(handles.store, handles.lookup, [job.batchId], moment.position, {
      maxEvents: job.maxEvents,
      pace,
    });
    const policy = new ReaderViews(job.reader, handles.lookup, moment, sitesOf(events));
    withhold = (event) => {
      // A lot's remaining mass stays shown in a bundle: its custody view (status, mass left) is recomputed
      // from it offline, and a bundle never carries a view it cannot recompute.
      const paths = withheldFor(job.reader, event, policy.relationships).filter(
        (path) => path !== 'data.remainingGrams',
      );
      return paths.some((path) => path.startsWith('data.')) ? paths : [];
    };
  }
  const prepared = await prepareAuditBundle(
    handles.store,
    handles.log,
    handles.lookup,
    job.batchId,
    signing,
    { maxEvents: job.maxEvents, pace, withhold },
  );
  if (!prepared) return undefined;
  return job.form === 'stream' ? auditBundleNdjson(prepared) : auditBundleJson(prepared);
}

/** Events at a mine or a transformation site: where a chain's material was made. */
const SITE_EVENTS = new Set([
  'BatchMined',
  'TransformationRecorded',
  'BatchProduced',
  'BatchRefined',
  'BatchSplit',
  'BatchSplitOff',
  'BatchBlended',
  'BlendProduced',
]);

/** The organisations that mined or transformed material of a chain. */
export function sitesOf(events: readonly StoredEvent[]): Set<string> {
  const sites = new Set<string>();
  for (const event of events) {
    const orgId = (event.data as { orgId?: unknown }).orgId;
    if (SITE_EVENTS.has(event.type) && typeof orgId === 'string') sites.add(orgId);
  }
  return sites;
}
