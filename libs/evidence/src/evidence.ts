import {
  certificateSubjectKey,
  decodeEvent,
  toBatchStreamId,
  toCertificateStreamId,
  toLicenceStreamId,
  toOrgStreamId,
  toTransformationStreamId,
} from '@tracelode/domain';
import type { EventStore, StoredEvent } from '@tracelode/event-store';
import {
  CERTIFICATES_BY_SUBJECT,
  type CertificatesBySubjectView,
  LEDGER_PROJECTIONS,
  PROVENANCE,
  type ProvenanceView,
  applyEvent,
  type ViewLookup,
} from '@tracelode/projections';
import { MemoryViews, ReadModelStore } from '@tracelode/read-models';
import { NO_PACE, type Pace } from './pace';

/** The events that determine some batches' views, in log order, and every stream read for them (some may be empty). */
export interface Evidence {
  readonly events: StoredEvent[];
  readonly streams: string[];
}

/** How much evidence a read may gather, and how it shares the thread. */
export interface EvidenceOptions {
  /** Most events gathered before the read is refused with `EvidenceTooLargeError` (default: no limit). */
  readonly maxEvents?: number;
  /** Called between events: `yieldEvery(ms)` lets other requests run while a long chain is read. */
  readonly pace?: Pace;
}

/** A batch's evidence holds more events than the read allows: the read stops as soon as it knows. */
export class EvidenceTooLargeError extends Error {
  override readonly name = 'EvidenceTooLargeError';
  constructor(readonly maxEvents: number) {
    super(`The batch's history (its chain, and what it names) holds more than ${maxEvents} events`);
  }
}

/** What an event names: organisations, facilities (with their organisation), licences and transformations. */
interface References {
  readonly orgIds: Set<string>;
  readonly facilities: Set<string>; // `${orgId}/${facilityId}`
  readonly licenceIds: Set<string>;
  readonly transformationIds: Set<string>;
}

/**
 * The events that determine a batch's views as they stood at `atPosition`, in log order: every event of
 * the batch's and all its ancestors' streams, of the transformations those events name (a
 * transformation's inputs and outputs are recorded once, in its own stream: ADR 0021), of the
 * organisations they name, of the certificates whose
 * subject is one of those batches, organisations or facilities, and of the licences their exports drew on
 * — whole streams from their first event, so each stream's hash chain can be checked, cut at the position.
 *
 * `lookup` reads the live views, used only to find which streams to read (ancestry never changes once a
 * batch exists; certificates issued later have no events at or before the position and drop out).
 */
export async function collectEvidence(
  store: Pick<EventStore, 'readStream'>,
  lookup: ViewLookup,
  batchIds: readonly string[],
  atPosition: bigint,
  options: EvidenceOptions = {},
): Promise<Evidence> {
  const { maxEvents = Number.POSITIVE_INFINITY, pace = NO_PACE } = options;
  const events = new Map<string, StoredEvent[]>();
  const refs: References = {
    orgIds: new Set(),
    facilities: new Set(),
    licenceIds: new Set(),
    transformationIds: new Set(),
  };
  let gathered = 0;
  const read = async (stream: string) => {
    if (events.has(stream)) return;
    const found: StoredEvent[] = [];
    events.set(stream, found);
    for await (const stored of store.readStream(stream)) {
      if (stored.position > atPosition) break;
      if (++gathered > maxEvents) throw new EvidenceTooLargeError(maxEvents);
      found.push(stored);
      collectReferences(stored.data, refs);
      // Who acted: their organisation's stream shows the keys their signed commands must verify against.
      const actor = decodeEvent(stored).metadata.actor?.orgId;
      if (typeof actor === 'string') refs.orgIds.add(actor);
      await pace();
    }
  };

  const chain = await ancestryOf(batchIds, lookup, pace);
  for (const batchId of chain) await read(toBatchStreamId(batchId));
  for (const transformationId of [...refs.transformationIds])
    await read(toTransformationStreamId(transformationId));

  const subjects = [
    ...chain.map((id) => certificateSubjectKey({ type: 'batch', id })),
    ...[...refs.orgIds].map((id) => certificateSubjectKey({ type: 'organisation', id })),
    ...[...refs.facilities].map((key) => {
      const [orgId = '', id = ''] = key.split('/');
      return certificateSubjectKey({ type: 'facility', id, orgId });
    }),
  ];
  for (const subject of subjects) {
    const index = lookup(CERTIFICATES_BY_SUBJECT, subject) as CertificatesBySubjectView | undefined;
    for (const certificateId of index?.certificateIds ?? []) await read(toCertificateStreamId(certificateId));
  }
  for (const licenceId of [...refs.licenceIds]) await read(toLicenceStreamId(licenceId));
  for (const orgId of [...refs.orgIds]) await read(toOrgStreamId(orgId));

  return {
    streams: [...events.keys()],
    events: [...events.values()].flat().sort((a, b) => (a.position < b.position ? -1 : 1)),
  };
}

/** The batches and every ancestor of theirs, by the provenance views' parent links. */
async function ancestryOf(batchIds: readonly string[], lookup: ViewLookup, pace: Pace): Promise<string[]> {
  const seen = new Set<string>();
  const queue = [...batchIds];
  for (let next = 0; next < queue.length; next++) {
    const id = queue[next]!;
    if (seen.has(id)) continue;
    seen.add(id);
    const view = lookup(PROVENANCE, id) as ProvenanceView | undefined;
    for (const parent of view?.parents ?? []) if (!seen.has(parent.batchId)) queue.push(parent.batchId);
    await pace();
  }
  return [...seen];
}

/** Organisation, facility, licence and transformation ids anywhere in an event's data (`orgId`, `toOrgId` + `toFacilityId`, …). */
function collectReferences(value: unknown, refs: References): void {
  if (Array.isArray(value)) {
    for (const item of value) collectReferences(item, refs);
    return;
  }
  if (!value || typeof value !== 'object') return;
  const record = value as Record<string, unknown>;
  for (const [key, item] of Object.entries(record)) {
    if (typeof item === 'string') {
      if (key === 'orgId' || key.endsWith('OrgId')) refs.orgIds.add(item);
      if (key === 'licenceId') refs.licenceIds.add(item);
      if (key === 'transformationId') refs.transformationIds.add(item);
      if (key === 'facilityId' || key.endsWith('FacilityId')) {
        const orgKey = key === 'facilityId' ? 'orgId' : `${key.slice(0, -'FacilityId'.length)}OrgId`;
        const orgId = record[orgKey];
        if (typeof orgId === 'string') refs.facilities.add(`${orgId}/${item}`);
      }
    } else {
      collectReferences(item, refs);
    }
  }
}

/**
 * The read models that `events` alone give: every ledger projection applied in log order to a scratch
 * in-memory database. The caller closes it.
 */
export function projectEvents(events: readonly StoredEvent[]): ReadModelStore {
  const views = ReadModelStore.open(':memory:');
  const last = events.at(-1);
  if (last) {
    views.applyAndCheckpoint(last.position, (tx) => {
      for (const stored of events) applyEvent(tx, LEDGER_PROJECTIONS, stored);
    });
  }
  return views;
}

/**
 * Runs `read` against the views `events` give, projected into memory: nothing is serialised, so the cost
 * is linear in the events (a document many events change is not re-written per event).
 */
export function withProjectedViews<T>(events: readonly StoredEvent[], read: (lookup: ViewLookup) => T): T {
  const views = new MemoryViews();
  for (const stored of events) applyEvent(views, LEDGER_PROJECTIONS, stored);
  return read((collection, key) => views.get(collection, key));
}

/** `withProjectedViews` that calls `pace` between events, for reads that share the thread with others. */
export async function projectEvidence(events: readonly StoredEvent[], pace: Pace): Promise<ViewLookup> {
  const views = new MemoryViews();
  for (const stored of events) {
    applyEvent(views, LEDGER_PROJECTIONS, stored);
    await pace();
  }
  return (collection, key) => views.get(collection, key);
}
