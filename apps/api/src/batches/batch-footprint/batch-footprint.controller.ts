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
import { LedgerIdPipe } from '../../common/ledger-id.pipe';
import { ApiViewMoment, BatchViewSource, type ViewMoment } from '../../ledger/batch-view-source';
import { batchNotFound } from '../../ledger/views-ready';
import { PactProductFootprintDto } from './batch-footprint.dto';

@ApiTags('batches')
@ApiBearerAuth()
@Controller('batches/:batchId/footprint')
export class BatchFootprintController {
  constructor(private readonly source: BatchViewSource) {}

  @Get()
  @ApiOperation({ summary: 'The batch’s carbon footprint as a PACT v3 ProductFootprint, per kilogram' })
  @ApiViewMoment()
  @ApiOkResponse({ type: PactProductFootprintDto })
  async footprint(
    @Param('batchId', LedgerIdPipe) batchId: string,
    @Query() moment: ViewMoment,
  ): Promise<PactProductFootprint> {
    const footprint = await this.source.read(
      moment,
      () => [batchId],
      (lookup) => {
        const carbon = lookup(CARBON, batchId) as CarbonView | undefined;
        if (!carbon) return undefined;
        const producer = lookup(ORGANISATIONS, carbon.orgId) as OrganisationView | undefined;
        return toPactFootprint(carbon, producer?.name ?? carbon.orgId);
      },
    );
    if (!footprint) throw batchNotFound(batchId);
    return footprint;
  }
}
