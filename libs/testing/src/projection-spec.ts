import type { LedgerEvent } from '@tracelode/domain';
import type { StoredEvent } from '@tracelode/event-store';
import type { DocumentProjection, ViewLookup } from '@tracelode/projections';

/** An event for a projection spec: the domain event, and optionally its envelope. */
export interface GivenEvent {
  readonly type: string;
  readonly data: Readonly<Record<string, unknown>>;
  /** The envelope's metadata (e.g. `{ actor: { orgId, keyId, roles } }`); `{}` by default. */
  readonly metadata?: Readonly<Record<string, unknown>>;
  readonly stream?: string;
  readonly recordedAt?: string;
}

export interface ProjectionSpecOptions {
  /** The log position of the first given event (default 1); the others follow in order, one apart. */
  readonly firstPosition?: number;
  /** Other projections the runner applies too, for a projection that looks their documents up. */
  readonly alongside?: readonly DocumentProjection<unknown>[];
}

/** The events, folded: what the projection's documents hold afterwards. */
export interface ProjectionScenario<V> {
  /** The events as the log holds them. */
  readonly stored: readonly StoredEvent[];
  /** The document `key` once every event is applied (undefined if none wrote it). */
  then(key: string): V | undefined;
  /** The document `key` after each event in turn, one entry per given event. */
  thenEach(key: string): (V | undefined)[];
  /** The key `keyOf` gives each event (undefined for an event the projection ignores). */
  keys(): (string | undefined)[];
  /** A document of another collection (an `alongside` projection's), once every event is applied. */
  view<T>(collection: string, key: string): T | undefined;
}

export interface ProjectionSpec<V> {
  /** Starts from an existing document, as if earlier events had written it; `view` itself is what `evolve` receives. */
  from(key: string, view: V): ProjectionSpec<V>;
  given(...events: readonly (GivenEvent | LedgerEvent)[]): ProjectionScenario<V>;
}

/** The recorded time of the event at `position`: one second per position from 2026-04-01T00:00:00Z. */
export const recordedAtOf = (position: number): string =>
  new Date(Date.UTC(2026, 3, 1) + position * 1000).toISOString();

/** The event as the log would hold it at `position`. */
export function storedEvent(event: GivenEvent | LedgerEvent, position: number): StoredEvent {
  const given = event as GivenEvent;
  return {
    position: BigInt(position),
    stream: given.stream ?? 'test-stream',
    revision: BigInt(position - 1),
    eventId: `00000000-0000-4000-8000-${String(position).padStart(12, '0')}`,
    type: given.type,
    data: given.data,
    metadata: given.metadata ?? {},
    recordedAt: given.recordedAt ?? recordedAtOf(position),
  };
}

/**
 * Given events, then the view: folds the events through the projection the way the runner does, one
 * log position each, over in-memory documents. `evolve` gets the document as stored (so a projection
 * that changed its input would be caught), lookups get copies, as from the read-model store.
 *
 *   projectionSpec(organisationsProjection).given(registered, keyAdded).then('mineco')
 */
export function projectionSpec<V>(
  projection: DocumentProjection<V>,
  options: ProjectionSpecOptions = {},
  start: ReadonlyMap<string, V> = new Map(),
): ProjectionSpec<V> {
  return {
    from: (key, view) => projectionSpec(projection, options, new Map([...start, [key, view]])),
    given: (...events) => {
      const firstPosition = options.firstPosition ?? 1;
      const stored = events.map((event, i) => storedEvent(event, firstPosition + i));
      const projections = [projection as DocumentProjection<unknown>, ...(options.alongside ?? [])];
      const documents = new Map<string, unknown>(
        [...start].map(([key, view]) => [`${projection.collection}/${key}`, view]),
      );
      const lookup: ViewLookup = (collection, key) => structuredClone(documents.get(`${collection}/${key}`));
      const history = stored.map((record) => {
        const event = { type: record.type, data: record.data } as LedgerEvent;
        for (const each of projections) {
          const key = each.keyOf(event);
          if (key === undefined) continue;
          const id = `${each.collection}/${key}`;
          documents.set(id, each.evolve(documents.get(id), event, record, lookup));
        }
        return new Map(documents);
      });
      const read = <T>(from: ReadonlyMap<string, unknown>, collection: string, key: string) =>
        from.get(`${collection}/${key}`) as T | undefined;
      return {
        stored,
        then: (key) => read<V>(documents, projection.collection, key),
        thenEach: (key) => history.map((after) => read<V>(after, projection.collection, key)),
        keys: () =>
          stored.map((record) => projection.keyOf({ type: record.type, data: record.data } as LedgerEvent)),
        view: (collection, key) => read(documents, collection, key),
      };
    },
  };
}
