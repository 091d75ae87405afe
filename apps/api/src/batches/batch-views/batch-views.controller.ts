import { Controller, Get, Inject, Param, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { toBatchStreamId } from '@tracelode/domain';
import type { EventStore, StoredEvent } from '@tracelode/event-store';
import { type BatchCustodyView, custodyOf } from '@tracelode/projections';
import { LedgerIdPipe } from '../../common/ledger-id.pipe';
import { EVENT_STORE } from '../../ledger/ledger.tokens';
import { ApiViewMoment, BatchViewSource, type ViewMoment } from '../../ledger/batch-view-source';
import { batchNotFound } from '../../ledger/views-ready';
import { BatchCustodyViewDto, StoredEventDto } from './batch-views.dto';

@ApiTags('batches')
@ApiBearerAuth()
@Controller('batches/:batchId')
export class BatchViewsController {
  constructor(
    private readonly source: BatchViewSource,
    @Inject(EVENT_STORE) private readonly store: EventStore,
  ) {}

  @Get()
  @ApiOperation({ summary: 'The batch’s chain of custody: status, custodian, mass, timeline' })
  @ApiViewMoment()
  @ApiOkResponse({ type: BatchCustodyViewDto })
  async custody(
    @Param('batchId', LedgerIdPipe) batchId: string,
    @Query() moment: ViewMoment,
  ): Promise<BatchCustodyView> {
    const view = await this.source.read(
      moment,
      () => [batchId],
      (lookup) => custodyOf(batchId, lookup),
    );
    if (!view) throw batchNotFound(batchId);
    return view;
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
