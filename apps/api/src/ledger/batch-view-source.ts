import { applyDecorators, HttpException, Inject, Injectable } from '@nestjs/common';
import { ApiQuery } from '@nestjs/swagger';
import { type EventStore, positionAt } from '@tracelode/event-store';
import { collectEvidence, withProjectedViews } from '@tracelode/evidence';
import { PROVENANCE, type ProvenanceView, traceDescendants, type ViewLookup } from '@tracelode/projections';
import { ReadModelStore } from '@tracelode/read-models';
import { EVENT_STORE } from './ledger.tokens';
import { ApiMinPosition, ViewsReady } from './views-ready';

/** Which state of the views a query reads: now (optionally at least `minPosition`), or as of a moment. */
export interface ViewMoment {
  readonly minPosition?: string;
  /** ISO 8601 instant: what the ledger knew then (events it had committed at or before it). */
  readonly asOf?: string;
  /** A log position: the views just after that event. */
  readonly atPosition?: string;
}

const POSITION = /^\d{1,19}$/;
const INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/;
const problem = (status: number, code: string, message: string) =>
  new HttpException({ code, message }, status);

/**
 * Where batch views are read from. Live by default; with `asOf` or `atPosition`, from the events that
 * determine the batch's views (its own, its ancestors', and the organisations, certificates and licences
 * they name, up to that position) projected into a scratch database — the cost is bounded by the batch's
 * history, not by the ledger's size. The same code serves the live and the historical views.
 */
@Injectable()
export class BatchViewSource {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    private readonly views: ReadModelStore,
    private readonly ready: ViewsReady,
  ) {}

  /**
   * Runs `read` against the views at the moment asked for. `batchIds` names the batches whose histories
   * the answer needs, given the live views (the batch itself, or it and its descendants).
   */
  async read<T>(
    moment: ViewMoment,
    batchIds: (live: ViewLookup) => readonly string[],
    read: (lookup: ViewLookup) => T,
  ): Promise<T> {
    const live: ViewLookup = (collection, key) => this.views.get(collection, key);
    const position = await this.positionOf(moment);
    if (position === undefined) {
      await this.ready.atLeast(moment.minPosition);
      return read(live);
    }
    await this.ready.atLeast(position.toString());
    const { events } = await collectEvidence(this.store, live, batchIds(live), position);
    return withProjectedViews(events, read);
  }

  private async positionOf(moment: ViewMoment): Promise<bigint | undefined> {
    const { asOf, atPosition } = moment;
    const given = (value: string | undefined) => value !== undefined && value !== '';
    if (given(asOf) && given(atPosition)) {
      throw problem(400, 'AMBIGUOUS_MOMENT', 'Give asOf or atPosition, not both');
    }
    if (given(atPosition)) {
      if (!POSITION.test(atPosition!)) {
        throw problem(400, 'INVALID_POSITION', 'atPosition must be a log position (digits)');
      }
      const position = BigInt(atPosition!);
      const head = await this.store.headPosition();
      if (position > head) {
        throw problem(
          422,
          'POSITION_BEYOND_HEAD',
          `The log ends at position ${head}; atPosition was ${position}`,
        );
      }
      return position;
    }
    if (given(asOf)) {
      const instant = new Date(asOf!);
      if (!INSTANT.test(asOf!) || Number.isNaN(instant.getTime())) {
        throw problem(
          400,
          'INVALID_AS_OF',
          'asOf must be an ISO 8601 instant with a time zone, e.g. 2026-11-28T12:00:00Z',
        );
      }
      return positionAt(this.store, instant);
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

/** A batch and everything made from it, by the live provenance views (for views that look downstream). */
export function withDescendants(batchId: string, live: ViewLookup): string[] {
  const view = live(PROVENANCE, batchId) as ProvenanceView | undefined;
  if (!view) return [batchId];
  const descendants = traceDescendants(view, (id) => live(PROVENANCE, id) as ProvenanceView | undefined);
  return [batchId, ...descendants.map((descendant) => descendant.batchId)];
}
