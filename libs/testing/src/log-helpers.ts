import type { StoredEvent, StreamWrite } from '@tracelode/event-store';
import { randomUUID } from 'node:crypto';

/** `count` small events on one stream, for tests about the log rather than the domain. */
export function notes(stream: string, count = 1): StreamWrite {
  return {
    stream,
    expectedRevision: 'any',
    events: Array.from({ length: count }, (_, i) => ({
      eventId: randomUUID(),
      type: 'Noted',
      data: { i, note: 'ñ €' },
      metadata: { schemaVersion: 1 },
    })),
  };
}

export async function collect(events: AsyncIterable<StoredEvent>): Promise<StoredEvent[]> {
  const all: StoredEvent[] = [];
  for await (const event of events) all.push(event);
  return all;
}

/** Polls until `condition` holds, failing after `timeoutMs`. */
export async function until(condition: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('timed out waiting for a condition');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
