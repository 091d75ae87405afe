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
  EVENT_LOCATIONS,
  type EventLocationView,
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
  toPactFootprint,
  traceDescendants,
  type ViewLookup,
} from '@tracelode/projections';
import { ReadModelStore } from '@tracelode/read-models';
import type { LedgerConfig } from '../config/ledger-config';
import { ExpensiveReads } from './expensive-reads';
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

/** The one query shape: which view, of what, at which moment. */
export interface ViewQuery<Kind> {
  readonly view: Kind;
  readonly id: string;
  readonly moment?: ViewMoment;
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

  /** A view of one batch at the moment asked for; undefined when the batch does not exist (then). */
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
      return read(query.id, live);
    }
    await this.ready.atLeast(position.toString());
    const { maxEvidenceEvents: maxEvents } = this.config.reads;
    return this.expensive.run(async (pace: Pace) => {
      try {
        const batchIds = histories(query.id, live);
        const { events } = await collectEvidence(this.store, live, batchIds, position, { maxEvents, pace });
        return read(query.id, await projectEvidence(events, pace));
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

  /** A view kept by key (a certificate, a licence), as it is now. */
  async document<Kind extends keyof DocumentOf>(
    query: ViewQuery<Kind>,
  ): Promise<DocumentOf[Kind] | undefined> {
    await this.ready.atLeast(query.moment?.minPosition);
    return this.views.get<DocumentOf[Kind]>(DOCUMENTS[query.view], query.id);
  }

  /** Every view of a collection (licences, exports), as it is now. */
  async list<Kind extends keyof ListOf>(view: Kind, moment: ViewMoment = {}): Promise<ListOf[Kind][]> {
    await this.ready.atLeast(moment.minPosition);
    return this.views.all<ListOf[Kind]>(LISTS[view]).map((row) => row.view);
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

  /** A batch's or a licence's events in log order, with their envelopes. */
  async events(query: ViewQuery<keyof typeof STREAMS>): Promise<StoredEvent[]> {
    const events: StoredEvent[] = [];
    for await (const stored of this.store.readStream(STREAMS[query.view](query.id))) events.push(stored);
    return events;
  }

  /**
   * Everything a certifier or regulator needs to verify a batch offline, against a checkpoint covering the
   * log as it is now; undefined when the batch does not exist.
   */
  async auditBundle(batchId: string): Promise<AuditBundle | undefined> {
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
