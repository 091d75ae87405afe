import { Controller, Get, Param, Query } from '@nestjs/common';
import { ClientGone, ReaderContext } from '../../auth/request-context.decorators';
import type { Reader } from '@tracelode/projections';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { BatchCustodyView } from '@tracelode/projections';
import { LedgerIdPipe } from '../../common/ledger-id.pipe';
import type { SerialisedJson } from '../../common/serialised-json';
import { ApiViewMoment, type ViewMoment, ViewSource } from '../../ledger/view-source';
import { ApiMinPosition, batchNotFound } from '../../ledger/views-ready';
import { StoredEventDto, toStoredEventDto } from '../../common/dto/stored-event.dto';
import { BatchCustodyViewDto } from './batch-views.dto';

@ApiTags('batches')
@ApiBearerAuth()
@Controller('batches/:batchId')
export class BatchViewsController {
  constructor(private readonly source: ViewSource) {}

  @Get()
  @ApiOperation({ summary: 'The batch’s chain of custody: status, custodian, mass, timeline' })
  @ApiViewMoment()
  @ApiOkResponse({ type: BatchCustodyViewDto })
  async custody(
    @Param('batchId', LedgerIdPipe) batchId: string,
    @Query() moment: ViewMoment,
    @ReaderContext() reader: Reader,
    @ClientGone() gone: AbortSignal,
  ): Promise<BatchCustodyView | SerialisedJson<BatchCustodyView>> {
    const view = await this.source.batch({ view: 'custody', id: batchId, moment, reader, gone });
    if (!view) throw batchNotFound(batchId);
    return view;
  }

  @Get('events')
  @ApiOperation({ summary: 'The batch’s events in log order, with their envelopes' })
  @ApiOkResponse({ type: [StoredEventDto] })
  @ApiMinPosition()
  async events(
    @Param('batchId', LedgerIdPipe) batchId: string,
    @ReaderContext() reader: Reader,
    @Query('minPosition') minPosition?: string,
  ): Promise<StoredEventDto[]> {
    const events = (
      await this.source.events({ view: 'batch', id: batchId, reader, moment: { minPosition } })
    ).map(toStoredEventDto);
    if (events.length === 0) throw batchNotFound(batchId);
    return events;
  }
}
