import { ApiProperty } from '@nestjs/swagger';
import type { StoredEvent } from '@tracelode/event-store';

/** An event as the log holds it, with its envelope, as every `…/events` route returns it. */
export class StoredEventDto {
  @ApiProperty() position!: string;
  @ApiProperty() stream!: string;
  @ApiProperty() revision!: string;
  @ApiProperty() eventId!: string;
  @ApiProperty() type!: string;
  @ApiProperty({ type: 'object', additionalProperties: true }) data!: Readonly<Record<string, unknown>>;
  @ApiProperty({ type: 'object', additionalProperties: true }) metadata!: Readonly<Record<string, unknown>>;
  @ApiProperty() recordedAt!: string;
  @ApiProperty({
    required: false,
    type: [String],
    description: 'Paths left out of this copy for the reader (docs/visibility.md), e.g. `data.consignee`',
  })
  withheld?: string[];
}

export const toStoredEventDto = (stored: StoredEvent & { withheld?: string[] }): StoredEventDto => ({
  position: stored.position.toString(),
  stream: stored.stream,
  revision: stored.revision.toString(),
  eventId: stored.eventId,
  type: stored.type,
  data: stored.data,
  metadata: stored.metadata,
  recordedAt: stored.recordedAt,
  ...(stored.withheld ? { withheld: stored.withheld } : {}),
});
