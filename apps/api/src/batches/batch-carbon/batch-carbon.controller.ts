import { Controller, Get, Param, Query } from '@nestjs/common';
import { ClientGone, ReaderContext } from '../../auth/request-context.decorators';
import type { Reader } from '@tracelode/projections';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { LedgerIdPipe } from '../../common/ledger-id.pipe';
import type { SerialisedJson } from '../../common/serialised-json';
import { ApiViewMoment, type ViewMoment, ViewSource } from '../../ledger/view-source';
import { batchNotFound } from '../../ledger/views-ready';
import { CarbonDto } from './batch-carbon.dto';

@ApiTags('batches')
@ApiBearerAuth()
@Controller('batches/:batchId/carbon')
export class BatchCarbonController {
  constructor(private readonly source: ViewSource) {}

  @Get()
  @ApiOperation({
    summary: 'The batch’s embodied carbon, intensity and where it was emitted, cradle to gate',
  })
  @ApiViewMoment()
  @ApiOkResponse({ type: CarbonDto })
  async carbon(
    @Param('batchId', LedgerIdPipe) batchId: string,
    @Query() moment: ViewMoment,
    @ReaderContext() reader: Reader,
    @ClientGone() gone: AbortSignal,
  ): Promise<CarbonDto | SerialisedJson<CarbonDto>> {
    const view = await this.source.batch({ view: 'carbon', id: batchId, moment, reader, gone });
    if (!view) throw batchNotFound(batchId);
    return view;
  }
}
