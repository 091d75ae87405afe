import {
  applyDecorators,
  Inject,
  Injectable,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { ApiQuery } from '@nestjs/swagger';
import { toBatchStreamId, toLicenceStreamId, toTransformationStreamId } from '@tracelode/domain';
import { CorruptEventError, type EventStore, type StoredEvent } from '@tracelode/event-store';
import {
  type BundledEvent,
  EvidenceTooLargeError,
  fromBundledEvent,
  WithholdingChangesViewsError,
} from '@tracelode/evidence';
import { LogNotary, publicKeyDocument } from '@tracelode/log';
import type { GlnDirectory } from '@tracelode/epcis';
import { glnDirectoryFor, glnDirectoryOf } from './gln-directory';
import { Readable } from 'node:stream';
import { join } from 'node:path';
import { apiProblem } from '../common/problem-details';
import { parseInstant } from '../common/instant';
import { SerialisedJson } from '../common/serialised-json';
import {
  type BatchCustodyView,
  type BatchListFilters,
  CERTIFICATES,
  certificationOf as computeCertification,
  CERTIFIER_ENGAGEMENTS,
  custodyOf,
  filterTerms,
  ORGANISATIONS,
  type OrganisationView,
  readerTerms,
  type CertificateView,
  EVENT_LOCATIONS,
  type EventLocationView,
  EXPORTS,
  type ExportView,
  GraphTooLargeError,
  LICENCES,
  type LicenceView,
  Projector,
  type ReadMoment,
  type Reader,
  type ViewLookup,
} from '@tracelode/projections';
import { type EpcisIndexFilter, ReadModelStore } from '@tracelode/read-models';
import { filesOnDisk, type LedgerConfig } from '../config/ledger-config';
import { type BatchViewKind, type BatchViewOf, walksDownstream } from './batch-view-kinds';
import { ExpensiveReads, type ReadPlace } from './expensive-reads';
import { liveView, liveViewWithin, OVER_BUDGET, type ReadHost, sitesOf, type ViewJob } from './read-jobs';
import { ReadWorker } from './read-workers';
import type { ReadWorkerData } from './read-worker-protocol';
import { ReaderViews } from './reader-views';
import { CertificationsAt } from './certifications-at';
import { EVENT_STORE, LEDGER_CONFIG } from './ledger.tokens';
import { ApiMinPosition, ViewsReady } from './views-ready';

export { type BatchViewKind, type BatchViewOf, withDescendants } from './batch-view-kinds';

/** The start of every transformation's stream name (ADR 0021). */
const TRANSFORMATION_STREAM = toTransformationStreamId('');

/** Which state of the views a query reads: now (optionally at least `minPosition`), or as of a moment. */
export interface ViewMoment {
  readonly minPosition?: string;
  /** ISO 8601 instant: what the ledger knew then (events it had committed at or before it). */
  readonly asOf?: string;
  /** A log position: the views just after that event. */
  readonly atPosition?: string;
}

/** A batch view: live, as an object; as of a moment, JSON already serialised (by a read worker). */
export type BatchViewAnswer<Kind extends BatchViewKind> =
  BatchViewOf<Kind> | SerialisedJson<BatchViewOf<Kind>>;

/** A batch as `GET /batches` lists it: its custody view as the reader may see it, without the timeline. */
export type BatchListRow = Omit<BatchCustodyView, 'timeline' | 'openShipment'> & { visibility?: string };

/** The two forms of an audit bundle: one JSON document, or NDJSON lines (header, events, trailer). */
export type AuditBundleForm = 'document' | 'stream';

/** Views kept by key, read as they are now (optionally at least `minPosition`). */
const DOCUMENTS = { certificate: CERTIFICATES, licence: LICENCES } as const;
interface DocumentOf {
  certificate: CertificateView;
  licence: LicenceView;
}
const LISTS = { licences: LICENCES, exports: EXPORTS } as const;
interface ListOf {
  licences: LicenceView;
  exports: ExportView;
}
const STREAMS = { batch: toBatchStreamId, licence: toLicenceStreamId } as const;

/** The one query shape: which view, of what, at which moment, for whom. */
export interface ViewQuery<Kind> {
  readonly view: Kind;
  readonly id: string;
  readonly moment?: ViewMoment;
  /** Who reads: what it may see follows its relationships to what it reads (docs/visibility.md). */
  readonly reader: Reader;
  /** Aborted when the client goes: a read still waiting for a turn gives it up (ExpensiveReads). */
  readonly gone?: AbortSignal;
}

const POSITION = /^\d{1,19}$/;

/**
 * How long a live read that walks a lot's downstream may run on the request thread; a longer walk is
 * handed to a read worker (ADR 0020), so a small downstream is never queued behind audit bundles.
 */
const IN_THREAD_MS = 5;

/**
 * The one way every query reads the ledger. Batch views are live by default; with `asOf` or `atPosition`
 * they are computed from the events that determine them (the batch's own, its ancestors', and the
 * organisations, certificates and licences they name, up to that position) projected into a scratch
 * database — the cost is bounded by the batch's history, not by the ledger's size. Query controllers
 * read only through here: none touches the event store or the read-model store.
 */
@Injectable()
export class ViewSource implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly expensive: ExpensiveReads;
  private readonly workers: ReadWorker[];
  /** Lots' certifications by the views' checkpoint: a page asks its graph and its certification together. */
  private readonly certifications = new CertificationsAt();

  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    private readonly views: ReadModelStore,
    private readonly ready: ViewsReady,
    private readonly projector: Projector,
    private readonly notary: LogNotary,
    @Inject(LEDGER_CONFIG) private readonly config: LedgerConfig,
  ) {
    const files = readWorkerFiles(config);
    this.workers = files
      ? Array.from({ length: config.reads.concurrent }, () => new ReadWorker(READ_WORKER_SCRIPT, files))
      : [];
    const host: ReadHost = {
      viewsReach: (position) => this.ready.atLeast(position.toString()),
      signStatement: (name, statement) => Promise.resolve(notary.signer.signStatement(name, statement)),
    };
    const place: ReadPlace = {
      workers: this.workers,
      handles: {
        store,
        lookup: (collection, key) => views.get(collection, key),
        readConsistently: (read) => views.readConsistently(read),
        log: notary,
      },
    };
    this.expensive = new ExpensiveReads(config.reads, host, place);
  }

  onApplicationBootstrap(): void {
    for (const worker of this.workers) worker.start();
  }

  async onApplicationShutdown(): Promise<void> {
    await Promise.all(this.workers.map((worker) => worker.stop()));
  }

  /**
   * A view of one batch at the moment asked for, as the reader may see it; undefined when the batch does
   * not exist (then), or the reader may see nothing of it. Now: asked before any work, so a refused read
   * costs no more than a hit. As of a moment: the read job asks it first, at that moment (ADR 0023).
   */
  async batch<Kind extends BatchViewKind>(
    query: ViewQuery<Kind>,
  ): Promise<BatchViewAnswer<Kind> | undefined> {
    const moment = query.moment ?? {};
    const at = await this.momentOf(moment);
    const { maxEvidenceEvents: maxEvents, maxGraphNodes } = this.config.reads;
    try {
      if (at === undefined) {
        await this.ready.atLeast(moment.minPosition);
        const live = { view: query.view, batchId: query.id, maxGraphNodes, reader: query.reader };
        // One read transaction: the policy, the view and the checkpoint the certification is kept by agree.
        const view = this.views.readConsistently((checkpoint) => {
          const certificationOf = (batchId: string, lookup: ViewLookup) =>
            this.certifications.of(checkpoint, batchId, () => computeCertification(batchId, lookup));
          const lookup: ViewLookup = (collection, key) => this.views.get(collection, key);
          // A walk of every descendant, listed or not, one views lookup each: here only while it is short.
          return walksDownstream(query.view)
            ? liveViewWithin(live, lookup, IN_THREAD_MS, { certificationOf })
            : liveView(live, lookup, { certificationOf });
        });
        if (view !== OVER_BUDGET) return view as BatchViewOf<Kind> | undefined;
        // A long walk: in a read worker, on a snapshot of its own that starts after the wait above (ADR
        // 0020, amended 2026-11-30). A stranger never gets here: the policy refused it before any walk.
        const json = await this.expensive.view({ kind: 'live-view', ...live }, query.gone);
        return json && new SerialisedJson<BatchViewOf<Kind>>(json);
      }
      const json = await this.expensive.view(
        {
          kind: 'view',
          view: query.view,
          batchId: query.id,
          at,
          maxEvents,
          maxGraphNodes,
          reader: query.reader,
        },
        query.gone,
      );
      return json && new SerialisedJson<BatchViewOf<Kind>>(json);
    } catch (error) {
      if (error instanceof GraphTooLargeError)
        throw apiProblem(
          'GRAPH_TOO_LARGE',
          `${error.message}: too many to return in one read (the limit is TRACELODE_MAX_GRAPH_NODES)`,
          { maxNodes: error.maxNodes },
        );
      if (!(error instanceof EvidenceTooLargeError)) throw error;
      throw apiProblem(
        'CHAIN_TOO_LARGE',
        `${error.message}: too many to read as of a moment (the limit is TRACELODE_MAX_EVIDENCE_EVENTS)`,
        { maxEvents },
      );
    }
  }

  /** A view kept by key (a certificate, a licence), as it is now; undefined if the reader may not read it. */
  async document<Kind extends keyof DocumentOf>(
    query: ViewQuery<Kind>,
  ): Promise<DocumentOf[Kind] | undefined> {
    await this.ready.atLeast(query.moment?.minPosition);
    const view = this.views.get<DocumentOf[Kind]>(DOCUMENTS[query.view], query.id);
    if (query.view !== 'licence' || !view) return view; // certificates are public: schemes publish them
    return this.readerViews(query.reader, { at: Date.now() }).licence(view as LicenceView) ? view : undefined;
  }

  /** Resolves once the views reflect what this server has committed (`Reach`). */
  caughtUp(): Promise<void> {
    return this.ready.atLeast(undefined);
  }

  /**
   * Whether a reader may know a lot or a licence exists now: its reads of it answer anything but 404.
   * What a command's refusal may tell it (`Reach`); asked after `caughtUp`.
   */
  knows(reader: Reader, kind: 'batches' | 'licences', id: string): boolean {
    const policy = this.readerViews(reader, { at: Date.now() });
    if (kind === 'batches') return policy.access(id) !== undefined;
    const view = this.views.get<LicenceView>(LICENCES, id);
    return view !== undefined && policy.licence(view);
  }

  /** Every view of a collection (licences, exports) that the reader may read, as it is now. */
  async list<Kind extends keyof ListOf>(
    view: Kind,
    reader: Reader,
    moment: ViewMoment = {},
  ): Promise<ListOf[Kind][]> {
    await this.ready.atLeast(moment.minPosition);
    const policy = this.readerViews(reader, { at: Date.now() });
    const readable = (row: ListOf[Kind]) =>
      view === 'licences' ? policy.licence(row as LicenceView) : policy.export(row as ExportView);
    return this.views
      .all<ListOf[Kind]>(LISTS[view])
      .map((row) => row.view)
      .filter(readable);
  }

  /**
   * A page of the batches the reader may see, as it is now, in batch id order: found through the index
   * terms the projections keep (the reader's relationships, the filters, the id prefix), each then checked
   * against the policy and shown as `GET /batches/{id}` would show it (its timeline left out). A row whose
   * shown status, form or custodian does not match a filter is left out (a participant's `left_custody`).
   * `next`: the last id examined, when there may be more.
   */
  async batchList(
    reader: Reader,
    filters: BatchListFilters & { q?: string; after?: string; limit: number; minPosition?: string },
  ): Promise<{ rows: BatchListRow[]; next?: string }> {
    await this.ready.atLeast(filters.minPosition);
    const live: ViewLookup = (collection, key) => this.views.get(collection, key);
    const policy = this.readerViews(reader, { at: Date.now() });
    const engagements = reader.roles.includes('certifier')
      ? this.views.keysWithPrefix(CERTIFIER_ENGAGEMENTS, `${reader.orgId}_`)
      : [];
    const candidates = { ...readerTerms(reader, live, engagements), allOf: filterTerms(filters, reader) };
    const rows: BatchListRow[] = [];
    let after = filters.after;
    for (;;) {
      const chunk = filters.limit + 1 - rows.length;
      const keys = this.views.keysByTerms({ ...candidates, prefix: filters.q, after, limit: chunk });
      for (const batchId of keys) {
        if (rows.length === filters.limit) return { rows, next: after };
        after = batchId;
        const access = policy.access(batchId);
        const custody = access && custodyOf(batchId, live);
        if (!access || !custody) continue;
        const shown = policy.shown('custody', batchId, custody, access, live) as BatchCustodyView & {
          visibility?: string;
        };
        if (
          (filters.status !== undefined && shown.status !== filters.status) ||
          (filters.form !== undefined && shown.material.form !== filters.form) ||
          (filters.custodian !== undefined && shown.custodian?.orgId !== filters.custodian)
        )
          continue;
        const { timeline: _timeline, openShipment: _open, ...row } = shown;
        rows.push(row);
      }
      if (keys.length < chunk) return { rows };
    }
  }

  /** An organisation's view (name, country, roles, facilities), for the reader itself. */
  organisation(orgId: string): OrganisationView | undefined {
    return this.views.get<OrganisationView>(ORGANISATIONS, orgId);
  }

  /**
   * The GLNs organisations and facilities were given, as the views hold them (one keyed read each): for
   * EPCIS identifiers (ADR 0031). GLNs are public keys (GS1 registers them), named as the org id is.
   */
  glnDirectory(): GlnDirectory {
    return glnDirectoryOf(this.views);
  }

  /**
   * The GLN directory an EPCIS read shows `reader` (ADR 0031, docs/visibility.md): per lot, every GLN
   * when it may see the lot whole (as its audit bundle withholds none), else only those of organisations it
   * may identify — itself, everything for an auditor or the admin, and the mines and transformation sites
   * of `events` (what it is shown) — the rule that withholds an organisation's name and GLN elsewhere.
   * Any other organisation, and its facilities, is named by the ledger's URI.
   */
  epcisGlns(reader: Reader, events: readonly StoredEvent[]): (batchId: string) => GlnDirectory {
    const policy = this.readerViews(reader, { at: Date.now() });
    const sites = sitesOf(events);
    const directory = glnDirectoryOf(this.views);
    const identified = (orgId: string) => sites.has(orgId) || policy.relationships.identified(orgId);
    const partial = glnDirectoryFor(directory, identified);
    const full = new Map<string, boolean>();
    return (batchId) => {
      if (!full.has(batchId)) full.set(batchId, policy.access(batchId)?.kind === 'full');
      return full.get(batchId) ? directory : partial;
    };
  }

  /**
   * Where a batch event is, by its id (for a correction or a void): from the index the projector keeps,
   * after waiting for the views to reach the log's head if it is not there yet.
   */
  async eventLocation(eventId: string): Promise<EventLocationView | undefined> {
    const known = this.views.get<EventLocationView>(EVENT_LOCATIONS, eventId);
    if (known) return known;
    await this.ready.atLeast((await this.store.headPosition()).toString());
    return this.views.get<EventLocationView>(EVENT_LOCATIONS, eventId);
  }

  /**
   * A batch's or a licence's events in log order, with their envelopes, as the reader may see them (a
   * batch's: withheld paths listed on each event); empty when it may see none.
   */
  async events(query: ViewQuery<keyof typeof STREAMS>): Promise<(StoredEvent & { withheld?: string[] })[]> {
    // Who may read is decided from the views: read-your-writes waits for them as every view route does.
    await this.ready.atLeast(query.moment?.minPosition);
    const policy = this.readerViews(query.reader, { at: Date.now() });
    const access = query.view === 'batch' ? policy.access(query.id) : undefined;
    if (query.view === 'batch' && !access) return [];
    if (query.view === 'licence') {
      const licence = this.views.get<LicenceView>(LICENCES, query.id);
      if (!licence || !policy.licence(licence)) return [];
    }
    const events: StoredEvent[] = [];
    for await (const stored of this.store.readStream(STREAMS[query.view](query.id))) events.push(stored);
    return access ? policy.events(events, access) : events;
  }

  /**
   * A lot's chain as the reader may see it, for its EPCIS export: the events of its audit bundle for this
   * reader (the lot, its ancestors, their transformations and the certificates they name; fields withheld
   * by digest), less the batch events the reader's events route would not show it (a downstream holder
   * sees how an ancestor came into being and the refinings that fed its lots, not their custody), and less
   * the transformations none of the events it is shown names (a past custodian is not shown what a later
   * one made of the lot, nor the other lots it consumed). Undefined when the reader may see nothing of the lot.
   */
  async chainEvents(batchId: string, reader: Reader): Promise<StoredEvent[] | undefined> {
    const bytes = await this.auditBundle(batchId, 'document', reader);
    if (!bytes) return undefined;
    const chunks: Buffer[] = [];
    for await (const chunk of bytes) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk)));
    const bundle = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { events: BundledEvent[] };
    const events = bundle.events.map(fromBundledEvent).sort((a, b) => (a.position < b.position ? -1 : 1));
    const policy = this.readerViews(reader, { at: Date.now() });
    const byBatch = new Map<string, StoredEvent[]>();
    for (const event of events) {
      if (!event.stream.startsWith('batch-')) continue;
      const stream = byBatch.get(event.stream) ?? [];
      stream.push(event);
      byBatch.set(event.stream, stream);
    }
    const shown = new Set<string>();
    const transformations = new Set<string>();
    for (const [stream, streamEvents] of byBatch) {
      const access = policy.access(stream.slice('batch-'.length));
      if (!access) continue;
      for (const event of policy.events(streamEvents, access)) {
        shown.add(event.eventId);
        const { transformationId } = event.data as { transformationId?: unknown };
        if (typeof transformationId === 'string')
          transformations.add(toTransformationStreamId(transformationId));
      }
    }
    return events.filter((event) =>
      event.stream.startsWith('batch-')
        ? shown.has(event.eventId)
        : !event.stream.startsWith(TRANSFORMATION_STREAM) || transformations.has(event.stream),
    );
  }

  /**
   * The indexed EPCIS events after `after` matching `filter` that the reader may see, as it may see them,
   * at most `limit`; `next` is where the next page starts when there may be more. Each read examines at
   * most `maxExamined` index rows, so a reader who may see few of the matches gets short pages with a
   * `next`, never a scan of the ledger in one request (ADR 0031).
   */
  async epcisEvents(
    filter: EpcisIndexFilter,
    after: bigint,
    limit: number,
    reader: Reader,
    maxExamined = Math.max(limit * 4, 200),
  ): Promise<{ records: (StoredEvent & { withheld?: string[] })[]; next?: bigint }> {
    const policy = this.readerViews(reader, { at: Date.now() });
    const accessOf = new Map<string, ReturnType<ReaderViews['access']>>();
    const records: (StoredEvent & { withheld?: string[] })[] = [];
    // Each lot's stream is read once a request, for every row of it on the page: the log has no read by
    // position, and reading the log from a row's position read a page of 500 events for each row.
    const streams = new Map<string, { first?: StoredEvent; byPosition: Map<bigint, StoredEvent> }>();
    const streamOf = async (stream: string) => {
      let events = streams.get(stream);
      if (!events) {
        events = { byPosition: new Map() };
        for await (const stored of this.store.readStream(stream)) {
          events.first ??= stored;
          events.byPosition.set(stored.position, stored);
        }
        streams.set(stream, events);
      }
      return events;
    };
    let examined = 0;
    let cursor = after;
    const chunk = Math.min(limit + 1, 500);
    for (;;) {
      const rows = this.views.epcisEvents(filter, cursor, chunk);
      for (const row of rows) {
        if (records.length === limit || examined === maxExamined) return { records, next: cursor };
        examined += 1;
        cursor = row.position;
        const batchId = row.stream.slice('batch-'.length);
        if (!accessOf.has(batchId)) accessOf.set(batchId, policy.access(batchId));
        const access = accessOf.get(batchId);
        if (!access) continue;
        const events = await streamOf(row.stream);
        const stored = events.byPosition.get(row.position);
        if (!stored) continue;
        // An upstream reader sees a lot's first event and the refinings that fed its own lots: the policy
        // tells them apart by the stream's first event, so it is given first.
        const first = access.kind === 'upstream' && stored.revision !== 0n ? events.first : undefined;
        const shown = policy.events(first ? [first, stored] : [stored], access);
        const mine = shown.find((event) => event.position === stored.position);
        if (mine) records.push(mine);
      }
      if (rows.length < chunk) return { records };
    }
  }

  /**
   * Everything a certifier or regulator needs to verify a batch offline, against a checkpoint covering the
   * log as it is now, as bytes streamed in the form asked for; undefined when the batch does not exist.
   */
  async auditBundle(
    batchId: string,
    form: AuditBundleForm,
    reader: Reader,
    gone?: AbortSignal,
  ): Promise<Readable | undefined> {
    // Asked before any work, so a stranger's read costs a lookup; the job asks again at the checkpoint.
    // Once the views hold what this server committed: a lot written a moment ago is not "not found".
    await this.ready.atLeast(undefined);
    if (!this.readerViews(reader, { at: Date.now() }).access(batchId)) return undefined;
    const head = await this.store.headPosition();
    const wait = this.config.minPositionWaitMs;
    if (this.notary.error) {
      throw apiProblem('LOG_INTEGRITY_FAILED', `The log cannot be notarised: ${this.notary.error.message}`);
    }
    const [viewsReady, logReady] = await Promise.all([
      this.projector.waitFor(head, wait),
      this.notary.waitFor(Number(head), wait),
    ]);
    if (!viewsReady || !logReady) {
      throw apiProblem(
        'LOG_BEHIND',
        `The views or the Merkle log have not reached position ${head} yet; retry shortly`,
        { retryAfterSeconds: 1 },
      );
    }
    // Signed by the notary's file's one writer (the followers' worker, or this thread): a read worker only
    // reads it.
    const checkpoint = await this.notary.signedCheckpointCovering(Math.max(Number(head), 1));
    if (!checkpoint) return undefined;
    const { maxEvidenceEvents, maxStreamedEvidenceEvents } = this.config.reads;
    const maxEvents = form === 'stream' ? maxStreamedEvidenceEvents : maxEvidenceEvents;
    try {
      return await this.expensive.bundle(
        {
          kind: 'bundle',
          batchId,
          form,
          checkpoint,
          publicKey: publicKeyDocument(this.notary.signer.publicKey),
          createdAt: new Date().toISOString(),
          maxEvents,
          reader,
        },
        gone,
      );
    } catch (error) {
      if (error instanceof EvidenceTooLargeError) {
        throw apiProblem(
          'BUNDLE_TOO_LARGE',
          form === 'stream'
            ? `${error.message}: too many for one bundle, even streamed (the limit is TRACELODE_MAX_STREAMED_EVIDENCE_EVENTS)`
            : `${error.message}: too many for one JSON document (the limit is TRACELODE_MAX_EVIDENCE_EVENTS); ask for the streamed form (Accept: application/x-ndjson), which takes up to ${maxStreamedEvidenceEvents}`,
          form === 'stream' ? { maxEvents } : { maxEvents, streamedMaxEvents: maxStreamedEvidenceEvents },
        );
      }
      if (error instanceof WithholdingChangesViewsError) {
        throw apiProblem(
          'BUNDLE_CANNOT_WITHHOLD',
          `A bundle of batch ${batchId} for ${reader.orgId} would have to show fields it may not see (${error.path}): ask a participant for a disclosure (POST /batches/{batchId}/disclosures)`,
          { path: error.path },
        );
      }
      if (!(error instanceof CorruptEventError)) throw error;
      throw apiProblem('LOG_CORRUPT', error.message, { eventId: error.eventId });
    }
  }

  /** The read policy for one reader at one moment (the relationships the live views keep, cut there). */
  private readerViews(reader: Reader, moment: ReadMoment): ReaderViews {
    return new ReaderViews(reader, (collection, key) => this.views.get(collection, key), moment);
  }

  /** The moment a query asks for: a position checked against the head, an instant, or now (undefined). */
  private async momentOf(moment: ViewMoment): Promise<ViewJob['at'] | undefined> {
    const { asOf, atPosition } = moment;
    const given = (value: string | undefined) => value !== undefined && value !== '';
    if (given(asOf) && given(atPosition)) {
      throw apiProblem('AMBIGUOUS_MOMENT', 'Give asOf or atPosition, not both');
    }
    if (given(atPosition)) {
      if (!POSITION.test(atPosition!)) {
        throw apiProblem('INVALID_POSITION', 'atPosition must be a log position (digits)');
      }
      const position = BigInt(atPosition!);
      const head = await this.store.headPosition();
      if (position > head) {
        throw apiProblem(
          'POSITION_BEYOND_HEAD',
          `The log ends at position ${head}; atPosition was ${position}`,
        );
      }
      return { position };
    }
    if (given(asOf)) {
      const instant = parseInstant(asOf!);
      if (instant === undefined) {
        throw apiProblem(
          'INVALID_AS_OF',
          'asOf must be an ISO 8601 instant with a time zone, e.g. 2026-11-28T12:00:00Z',
        );
      }
      // Which position that was is found by the read itself (a binary search of the log, off this thread).
      return { instant };
    }
    return undefined;
  }
}

/** The compiled read worker, beside this file (dist in the built server). */
const READ_WORKER_SCRIPT = join(__dirname, 'read-worker.js');

/**
 * What the read workers open, read-only: the views file, and the log's files where the log and the
 * notary's log are SQLite files of this machine (a KurrentDB client keeps an index of the whole log that a
 * worker would rebuild; a store in memory cannot be opened twice); none where the views are in memory (a
 * second handle could not see them). ADR 0020, amended.
 */
function readWorkerFiles(config: LedgerConfig): ReadWorkerData | undefined {
  const files = filesOnDisk(config);
  if (files.views === undefined) return undefined;
  if (files.store === undefined || files.integrity === undefined) return { viewsPath: files.views };
  return { viewsPath: files.views, log: { storeFile: files.store, integrityPath: files.integrity } };
}

/** OpenAPI for the moment parameters every batch view takes. */
export const ApiViewMoment = () =>
  applyDecorators(
    ApiMinPosition(),
    ApiQuery({
      name: 'asOf',
      required: false,
      description:
        'ISO 8601 instant: the view as the ledger knew it then (every event committed at or before it)',
    }),
    ApiQuery({
      name: 'atPosition',
      required: false,
      description: 'Log position: the view just after that event (422 beyond the head)',
    }),
  );
