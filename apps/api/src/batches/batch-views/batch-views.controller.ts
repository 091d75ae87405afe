import { Controller, Get, Inject, Param, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { toBatchStreamId } from '@tracelode/domain';
import type { EventStore, StoredEvent } from '@tracelode/event-store';
import { BATCH_CUSTODY, type BatchCustodyView, heldAncestorOf } from '@tracelode/projections';
import { ReadModelStore } from '@tracelode/read-models';
import { LedgerIdPipe } from '../../common/ledger-id.pipe';
import { EVENT_STORE } from '../../ledger/ledger.tokens';
import { ApiMinPosition, batchNotFound, ViewsReady } from '../../ledger/views-ready';
import { BatchCustodyViewDto, StoredEventDto } from './batch-views.dto';

@ApiTags('batches')
@ApiBearerAuth()
@Controller('batches/:batchId')
export class BatchViewsController {
  constructor(
    private readonly views: ReadModelStore,
    private readonly ready: ViewsReady,
    @Inject(EVENT_STORE) private readonly store: EventStore,
  ) {}

  @Get()
  @ApiOperation({ summary: 'The batch’s chain of custody: status, custodian, mass, timeline' })
  @ApiMinPosition()
  @ApiOkResponse({ type: BatchCustodyViewDto })
  async custody(
    @Param('batchId', LedgerIdPipe) batchId: string,
    @Query('minPosition') minPosition?: string,
  ): Promise<BatchCustodyView> {
    await this.ready.atLeast(minPosition);
    const view = this.views.get<BatchCustodyView>(BATCH_CUSTODY, batchId);
    if (!view) throw batchNotFound(batchId);
    // Derived when read: a hold on an ancestor never rewrites its descendants' views.
    return {
      ...view,
      heldVia: heldAncestorOf(batchId, (collection, key) => this.views.get(collection, key)),
    };
  }

  @Get('events')
  @ApiOperation({ summary: 'The batch’s events in log order, with their envelopes' })
  @ApiOkResponse({ type: [StoredEventDto] })
  async events(@Param('batchId', LedgerIdPipe) batchId: string): Promise<StoredEventDto[]> {
    const events: StoredEventDto[] = [];
    for await (const stored of this.store.readStream(toBatchStreamId(batchId))) events.push(toDto(stored));
    if (events.length === 0) throw batchNotFound(batchId);
    return events;
  }
}

const toDto = (stored: StoredEvent): StoredEventDto => ({
  position: stored.position.toString(),
  stream: stored.stream,
  revision: stored.revision.toString(),
  eventId: stored.eventId,
  type: stored.type,
  data: stored.data,
  metadata: stored.metadata,
  recordedAt: stored.recordedAt,
});
