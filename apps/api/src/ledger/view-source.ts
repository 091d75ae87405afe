import { applyDecorators, Inject, Injectable } from '@nestjs/common';
import { ApiQuery } from '@nestjs/swagger';
import { toBatchStreamId, toLicenceStreamId } from '@tracelode/domain';
import { CorruptEventError, type EventStore, positionAt, type StoredEvent } from '@tracelode/event-store';
import {
  assembleAuditBundle,
  type AuditBundle,
  collectEvidence,
  EvidenceTooLargeError,
  type Pace,
  projectEvidence,
} from '@tracelode/evidence';
import { LogNotary } from '@tracelode/log';
import { apiProblem } from '../common/problem-details';
import { parseInstant } from '../common/instant';
import {
  CARBON,
  type CarbonView,
  carbonOf,
  CERTIFICATES,
  type CertificateView,
  certificationOf,
  custodyOf,
  EXPORTS,
  type ExportView,
  holdImpactOf,
  LICENCES,
  type LicenceView,
  ORGANISATIONS,
  type OrganisationView,
  PROVENANCE,
  provenanceOf,
  type ProvenanceView,
  Projector,
  type ReadMoment,
  type Reader,
  toPactFootprint,
  traceDescendants,
  type ViewLookup,
} from '@tracelode/projections';
import { ReadModelStore } from '@tracelode/read-models';
import type { LedgerConfig } from '../config/ledger-config';
import { ExpensiveReads } from './expensive-reads';
import { ReaderViews } from './reader-views';
import { EVENT_STORE, LEDGER_CONFIG } from './ledger.tokens';
import { ApiMinPosition, ViewsReady } from './views-ready';

/** Which state of the views a query reads: now (optionally at least `minPosition`), or as of a moment. */
export interface ViewMoment {
  readonly minPosition?: string;
  /** ISO 8601 instant: what the ledger knew then (events it had committed at or before it). */
  readonly asOf?: string;
  /** A log position: the views just after that event. */
  readonly atPosition?: string;
}

/** A batch and everything made from it, by the live provenance views (for views that look downstream). */
export function withDescendants(batchId: string, live: ViewLookup): string[] {
  const view = live(PROVENANCE, batchId) as ProvenanceView | undefined;
  if (!view) return [batchId];
  const descendants = traceDescendants(view, (id) => live(PROVENANCE, id) as ProvenanceView | undefined);
  return [batchId, ...descendants.map((descendant) => descendant.batchId)];
}

const justTheBatch = (batchId: string): string[] => [batchId];

/**
 * Every view of a batch, by kind: whose histories it needs (the batch alone, or it and its descendants,
 * by the live views) and how it is read from the views. One table, so a new view is one line.
 */
const BATCH_VIEWS = {
  custody: { histories: justTheBatch, read: custodyOf },
  provenance: { histories: justTheBatch, read: provenanceOf },
  descendants: {
    histories: withDescendants,
    read: (batchId: string, lookup: ViewLookup) => {
      const view = lookup(PROVENANCE, batchId) as ProvenanceView | undefined;
      const descendants =
        view && traceDescendants(view, (id) => lookup(PROVENANCE, id) as ProvenanceView | undefined);
      return descendants && { batchId, direction: 'descendants' as const, descendants };
    },
  },
  carbon: { histories: justTheBatch, read: carbonOf },
  footprint: {
    histories: justTheBatch,
    read: (batchId: string, lookup: ViewLookup) => {
      const carbon = lookup(CARBON, batchId) as CarbonView | undefined;
      if (!carbon) return undefined;
      const producer = lookup(ORGANISATIONS, carbon.orgId) as OrganisationView | undefined;
      return toPactFootprint(carbon, producer?.name ?? carbon.orgId);
    },
  },
  certification: { histories: justTheBatch, read: certificationOf },
  holdImpact: { histories: withDescendants, read: holdImpactOf },
} as const;

export type BatchViewKind = keyof typeof BATCH_VIEWS;
export type BatchViewOf<Kind extends BatchViewKind> = NonNullable<
  ReturnType<(typeof BATCH_VIEWS)[Kind]['read']>
>;

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
}

const POSITION = /^\d{1,19}$/;

/**
 * The one way every query reads the ledger. Batch views are live by default; with `asOf` or `atPosition`
 * they are computed from the events that determine them (the batch's own, its ancestors', and the
 * organisations, certificates and licences they name, up to that position) projected into a scratch
 * database — the cost is bounded by the batch's history, not by the ledger's size. Query controllers
 * read only through here: none touches the event store or the read-model store.
 */
@Injectable()
export class ViewSource {
  private readonly expensive: ExpensiveReads;

  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    private readonly views: ReadModelStore,
    private readonly ready: ViewsReady,
    private readonly projector: Projector,
    private readonly notary: LogNotary,
    @Inject(LEDGER_CONFIG) private readonly config: LedgerConfig,
  ) {
    this.expensive = new ExpensiveReads(config.reads);
  }

  /**
   * A view of one batch at the moment asked for, as the reader may see it; undefined when the batch does
   * not exist (then), or the reader may see nothing of it — asked before any work, so a refused read
   * costs no more than a hit.
   */
  async batch<Kind extends BatchViewKind>(query: ViewQuery<Kind>): Promise<BatchViewOf<Kind> | undefined> {
    const { histories, read } = BATCH_VIEWS[query.view] as unknown as {
      histories: (batchId: string, live: ViewLookup) => string[];
      read: (batchId: string, lookup: ViewLookup) => BatchViewOf<Kind> | undefined;
    };
    const moment = query.moment ?? {};
    const live: ViewLookup = (collection, key) => this.views.get(collection, key);
    const position = await this.positionOf(moment);
    if (position === undefined) {
      await this.ready.atLeast(moment.minPosition);
      const policy = this.readerViews(query.reader, { at: Date.now() });
      const access = policy.access(query.id);
      const view = access && read(query.id, live);
      return view && (policy.shown(query.view, query.id, view, access, live) as BatchViewOf<Kind>);
    }
    await this.ready.atLeast(position.toString());
    const policy = this.readerViews(query.reader, await this.readMomentAt(position, moment));
    const access = policy.access(query.id);
    if (!access) return undefined;
    const { maxEvidenceEvents: maxEvents } = this.config.reads;
    return this.expensive.run(async (pace: Pace) => {
      try {
        const batchIds = histories(query.id, live);
        const { events } = await collectEvidence(this.store, live, batchIds, position, { maxEvents, pace });
        const lookup = await projectEvidence(events, pace);
        const view = read(query.id, lookup);
        return view && (policy.shown(query.view, query.id, view, access, lookup) as BatchViewOf<Kind>);
      } catch (error) {
        if (!(error instanceof EvidenceTooLargeError)) throw error;
        throw apiProblem(
          'CHAIN_TOO_LARGE',
          `${error.message}: too many to read as of a moment (the limit is TRACELODE_MAX_EVIDENCE_EVENTS)`,
          { maxEvents },
        );
      }
    });
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
   * A batch's or a licence's events in log order, with their envelopes, as the reader may see them (a
   * batch's: withheld paths listed on each event); empty when it may see none.
   */
  async events(query: ViewQuery<keyof typeof STREAMS>): Promise<(StoredEvent & { withheld?: string[] })[]> {
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
   * Everything a certifier or regulator needs to verify a batch offline, against a checkpoint covering the
   * log as it is now; undefined when the batch does not exist.
   */
  async auditBundle(batchId: string, reader: Reader): Promise<AuditBundle | undefined> {
    const access = this.readerViews(reader, { at: Date.now() }).access(batchId);
    if (!access) return undefined;
    if (access.kind !== 'full') {
      // Withholding a field needs the event hash to commit to each field apart (docs/visibility.md).
      throw apiProblem(
        'WITHHELD_BUNDLE_UNAVAILABLE',
        `A bundle of batch ${batchId} for ${reader.orgId} withholds fields, which needs per-field commitments this ledger does not make yet`,
      );
    }
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
    const { maxEvidenceEvents: maxEvents } = this.config.reads;
    return this.expensive.run(async (pace) => {
      try {
        return await assembleAuditBundle(
          this.store,
          this.notary,
          (collection, key) => this.views.get(collection, key),
          batchId,
          { maxEvents, pace },
        );
      } catch (error) {
        if (error instanceof EvidenceTooLargeError) {
          throw apiProblem(
            'BUNDLE_TOO_LARGE',
            `${error.message}: too many for one bundle (the limit is TRACELODE_MAX_EVIDENCE_EVENTS)`,
            { maxEvents },
          );
        }
        if (!(error instanceof CorruptEventError)) throw error;
        throw apiProblem('LOG_CORRUPT', error.message, { eventId: error.eventId });
      }
    });
  }

  /** The read policy for one reader at one moment (the relationships the live views keep, cut there). */
  private readerViews(reader: Reader, moment: ReadMoment): ReaderViews {
    return new ReaderViews(reader, (collection, key) => this.views.get(collection, key), moment);
  }

  /**
   * The moment a read as of a position is: that position, and the instant a disclosure's `until` is judged
   * at — `asOf` itself, or when the event at `atPosition` was recorded.
   */
  private async readMomentAt(position: bigint, moment: ViewMoment): Promise<ReadMoment> {
    if (moment.asOf) return { position, at: parseInstant(moment.asOf) ?? Date.now() };
    for await (const stored of this.store.readAll(position))
      return { position, at: Date.parse(stored.recordedAt) };
    return { position, at: Date.now() };
  }

  private async positionOf(moment: ViewMoment): Promise<bigint | undefined> {
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
      return position;
    }
    if (given(asOf)) {
      const instant = parseInstant(asOf!);
      if (instant === undefined) {
        throw apiProblem(
          'INVALID_AS_OF',
          'asOf must be an ISO 8601 instant with a time zone, e.g. 2026-11-28T12:00:00Z',
        );
      }
      return positionAt(this.store, new Date(instant));
    }
    return undefined;
  }
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
