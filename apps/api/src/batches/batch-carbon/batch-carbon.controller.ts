import { Controller, Get, Param, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CARBON, type CarbonView } from '@tracelode/projections';
import { ReadModelStore } from '@tracelode/read-models';
import { LedgerIdPipe } from '../../common/ledger-id.pipe';
import { ApiMinPosition, batchNotFound, ViewsReady } from '../../ledger/views-ready';
import { CarbonDto } from './batch-carbon.dto';

@ApiTags('batches')
@ApiBearerAuth()
@Controller('batches/:batchId/carbon')
export class BatchCarbonController {
  constructor(
    private readonly views: ReadModelStore,
    private readonly ready: ViewsReady,
  ) {}

  @Get()
  @ApiOperation({
    summary: 'The batch’s embodied carbon, intensity and where it was emitted, cradle to gate',
  })
  @ApiMinPosition()
  @ApiOkResponse({ type: CarbonDto })
  async carbon(
    @Param('batchId', LedgerIdPipe) batchId: string,
    @Query('minPosition') minPosition?: string,
  ): Promise<CarbonDto> {
    await this.ready.atLeast(minPosition);
    const view = this.views.get<CarbonView>(CARBON, batchId);
    if (!view) throw batchNotFound(batchId);
    const { embodiedKgCo2e, intensityKgCo2ePerKg, primaryDataShare, breakdown } = view;
    return { batchId, embodiedKgCo2e, intensityKgCo2ePerKg, primaryDataShare, breakdown: [...breakdown] };
  }
}
