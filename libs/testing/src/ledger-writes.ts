import { encodeEvent, type LedgerEvent } from '@tracelode/domain';
import type { EventToAppend, StreamWrite } from '@tracelode/event-store';
import { randomUUID } from 'node:crypto';

/** One command's events on one stream, in the envelope the API writes (appended expecting any revision). */
export function commandWrite(stream: string, actorOrgId: string, ...events: LedgerEvent[]): StreamWrite {
  return {
    stream,
    expectedRevision: 'any',
    events: events.map((event): EventToAppend =>
      encodeEvent(
        event,
        {
          commandId: randomUUID(),
          actor: { orgId: actorOrgId, keyId: `${actorOrgId}-key`, roles: ['producer'] },
        },
        randomUUID(),
      ),
    ),
  };
}
