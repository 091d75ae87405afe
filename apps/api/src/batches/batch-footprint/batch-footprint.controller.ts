import { Controller, Get, Param, Query } from '@nestjs/common';
import { ClientGone, ReaderContext } from '../../auth/request-context.decorators';
import type { Reader } from '@tracelode/projections';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { PactProductFootprint } from '@tracelode/projections';
import { LedgerIdPipe } from '../../common/ledger-id.pipe';
import type { SerialisedJson } from '../../common/serialised-json';
import { ApiViewMoment, type ViewMoment, ViewSource } from '../../ledger/view-source';
import { batchNotFound } from '../../ledger/views-ready';
import { PactProductFootprintDto } from './batch-footprint.dto';

@ApiTags('batches')
@ApiBearerAuth()
@Controller('batches/:batchId/footprint')
export class BatchFootprintController {
  constructor(private readonly source: ViewSource) {}

  @Get()
  @ApiOperation({ summary: 'The batch’s carbon footprint as a PACT v3 ProductFootprint, per kilogram' })
  @ApiViewMoment()
  @ApiOkResponse({ type: PactProductFootprintDto })
  async footprint(
    @Param('batchId', LedgerIdPipe) batchId: string,
    @Query() moment: ViewMoment,
    @ReaderContext() reader: Reader,
    @ClientGone() gone: AbortSignal,
  ): Promise<PactProductFootprint | SerialisedJson<PactProductFootprint>> {
    const footprint = await this.source.batch({ view: 'footprint', id: batchId, moment, reader, gone });
    if (!footprint) throw batchNotFound(batchId);
    return footprint;
  }
}
