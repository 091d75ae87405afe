/** An event of the log as a views fixture keeps it: enough to renumber positions and to project it again. */
export interface LoggedEvent {
  readonly position: string;
  readonly stream: string;
  readonly revision: string;
  readonly eventId: string;
  readonly type: string;
  readonly data: Record<string, unknown>;
  readonly metadata: Record<string, unknown>;
  readonly recordedAt: string;
}

/**
 * What the views gained on purpose after the fixture was written, left out of the comparison so that it
 * still pins everything else: each timeline entry's `eventId` (what a correction names, ADR 0024), each
 * certification result's `chainOfCustodyModel` (ISO 22095), `country` in a mining's details (BatchMined
 * v2, ADR 0025), and the custody view's `visibility` (how much of it the reader sees, ADR 0023).
 */
const ADDED_SINCE_THE_FIXTURE = new Set(['eventId', 'chainOfCustodyModel', 'visibility']);
const withoutAdditions = (item: Record<string, unknown>): Record<string, unknown> => {
  const kept = Object.fromEntries(
    Object.entries(item).filter(([field]) => !ADDED_SINCE_THE_FIXTURE.has(field)),
  );
  if (item.type === 'BatchMined' && kept.details && typeof kept.details === 'object') {
    const { country: _country, ...details } = kept.details as Record<string, unknown>;
    kept.details = details;
  }
  return kept;
};

const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/;
const LOG_POSITION = /log position (\d+)/g;

/**
 * Views made comparable across two runs of the same commands: each log position is replaced by the
 * ordinal of its event among the events outside transformation streams (`batch#12`), so a log that also
 * holds `transformation-…` streams (schema 2) numbers its batch events as one without them (schema 1)
 * did; every instant at or after `since` (the ledger's clock during the run) becomes `<recorded>`; and
 * the PACT footprint's id, a hash of the position, becomes `<footprint id>`. A position of a
 * transformation stream's event stays visible as `transformation#…`, so a view that points at one differs.
 */
export function normaliseViews(value: unknown, log: readonly LoggedEvent[], since: string): unknown {
  const ordinals = new Map<string, string>();
  let batchEvents = 0;
  for (const event of log) {
    ordinals.set(
      event.position,
      event.stream.startsWith('transformation-') ? `transformation#${event.position}` : `#${++batchEvents}`,
    );
  }
  const renumber = (position: string) => ordinals.get(position) ?? `unknown#${position}`;
  const walk = (item: unknown, key?: string): unknown => {
    if (Array.isArray(item)) return item.map((element) => walk(element));
    if (item && typeof item === 'object') {
      const kept = withoutAdditions(item as Record<string, unknown>);
      return Object.fromEntries(Object.entries(kept).map(([field, inner]) => [field, walk(inner, field)]));
    }
    if (typeof item !== 'string') return item;
    if (key === 'position') return renumber(item);
    if (key === 'id' && item.startsWith('urn:pact:') === false && /^[0-9a-f-]{36}$/.test(item))
      return '<footprint id>';
    if (ISO_INSTANT.test(item) && item >= since) return '<recorded>';
    return item.replace(LOG_POSITION, (_match, position: string) => `log position ${renumber(position)}`);
  };
  return walk(value);
}
