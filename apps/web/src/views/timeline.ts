/** An entry of a lot's custody timeline, as `GET /batches/{id}` gives it. */
export interface TimelineEntry {
  readonly eventId: string;
  readonly position: string;
  readonly type: string;
  readonly occurredAt: string;
  readonly recordedAt: string;
  readonly late: boolean;
  readonly actorOrgId: string | null | object;
  readonly details: Record<string, unknown>;
  readonly voided?: unknown;
}

/** What happened, in words as well as a sign (a hold or a release is never told by colour alone). */
export function whatHappened(entry: TimelineEntry): string {
  const marker =
    entry.type === 'BatchHeld' ? ' ⛔ hold' : entry.type === 'BatchReleased' ? ' ✅ release' : '';
  return `${entry.type}${marker}${entry.voided ? ' (voided)' : ''}`;
}

/** Who recorded it: the organisation, or `withheld` where the reader may not see it. */
export const whoActed = (entry: TimelineEntry): string =>
  typeof entry.actorOrgId === 'string' ? entry.actorOrgId : 'withheld';

/** Where: the organisation and facility (a shipment's from → to); a dash where withheld or none. */
export function placeOf(entry: TimelineEntry): string {
  const details = entry.details;
  const org = details.orgId ?? details.fromOrgId;
  const facility = details.facilityId ?? details.fromFacilityId;
  if (typeof org !== 'string' || typeof facility !== 'string') return '—';
  const to =
    typeof details.toOrgId === 'string' ? ` → ${details.toOrgId} / ${String(details.toFacilityId)}` : '';
  return `${org} / ${facility}${to}`;
}

/**
 * A signed command's events each carry `requestSignature` (the first also the request itself, ADR 0026);
 * withheld from a reader that may not see the request (docs/visibility.md), so no badge then.
 */
export function isSigned(
  entry: TimelineEntry,
  events: ReadonlyMap<string, { readonly metadata?: Record<string, unknown> }>,
): boolean {
  const metadata = events.get(entry.eventId)?.metadata ?? {};
  return metadata.requestSignature !== undefined || metadata.signedRequest !== undefined;
}

/**
 * When the store committed the entry's event (the stored event's `recordedAt`): `asOf` counts the event
 * from then, a few milliseconds after the entry's own `recordedAt` (when its command arrived). Undefined
 * when the reader's `/events` answer does not hold it.
 */
export function committedAt(
  entry: TimelineEntry,
  events: ReadonlyMap<string, { readonly recordedAt?: string }>,
): string | undefined {
  return events.get(entry.eventId)?.recordedAt;
}

/**
 * An instant as a `datetime-local` input's value in the browser's own time zone (`offsetMinutes`, as
 * `Date.getTimezoneOffset` gives it at that instant), to the millisecond.
 */
export function localInputValue(
  instant: string,
  offsetMinutes = new Date(instant).getTimezoneOffset(),
): string {
  return new Date(Date.parse(instant) - offsetMinutes * 60_000).toISOString().slice(0, 23);
}

/**
 * What the moment picker holds: the text of its `datetime-local` input and, when the page set it from an
 * instant ("as of this"), that instant. Local text names no offset, and in the hour a fall-back repeats it
 * names two instants, of which `Date` takes the earlier; kept, the instant is read back as it was given.
 */
export interface PickedMoment {
  readonly text: string;
  readonly instant?: string;
}

/** The instant a picker's value stands for: the one it was set from, else its text read in local time. */
export function pickedInstant(picked: PickedMoment): string | undefined {
  if (picked.text === '') return undefined;
  return picked.instant ?? new Date(picked.text).toISOString();
}
