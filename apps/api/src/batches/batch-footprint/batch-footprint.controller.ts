import { Controller, Get, Param, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import {
  CARBON,
  type CarbonView,
  ORGANISATIONS,
  type OrganisationView,
  type PactProductFootprint,
  toPactFootprint,
} from '@tracelode/projections';
import { ReadModelStore } from '@tracelode/read-models';
import { LedgerIdPipe } from '../../common/ledger-id.pipe';
import { ApiMinPosition, batchNotFound, ViewsReady } from '../../ledger/views-ready';
import { PactProductFootprintDto } from './batch-footprint.dto';

@ApiTags('batches')
@ApiBearerAuth()
@Controller('batches/:batchId/footprint')
export class BatchFootprintController {
  constructor(
    private readonly views: ReadModelStore,
    private readonly ready: ViewsReady,
  ) {}

  @Get()
  @ApiOperation({ summary: 'The batch’s carbon footprint as a PACT v3 ProductFootprint, per kilogram' })
  @ApiMinPosition()
  @ApiOkResponse({ type: PactProductFootprintDto })
  async footprint(
    @Param('batchId', LedgerIdPipe) batchId: string,
    @Query('minPosition') minPosition?: string,
  ): Promise<PactProductFootprint> {
    await this.ready.atLeast(minPosition);
    const carbon = this.views.get<CarbonView>(CARBON, batchId);
    if (!carbon) throw batchNotFound(batchId);
    const producer = this.views.get<OrganisationView>(ORGANISATIONS, carbon.orgId);
    return toPactFootprint(carbon, producer?.name ?? carbon.orgId);
  }
}
