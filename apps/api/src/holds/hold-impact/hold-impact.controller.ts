import { Controller, Get, Param, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { holdImpactOf, type HoldImpactView } from '@tracelode/projections';
import { LedgerIdPipe } from '../../common/ledger-id.pipe';
import {
  ApiViewMoment,
  BatchViewSource,
  type ViewMoment,
  withDescendants,
} from '../../ledger/batch-view-source';
import { batchNotFound } from '../../ledger/views-ready';

@ApiTags('holds')
@ApiBearerAuth()
@Controller('holds/:batchId/impact')
export class HoldImpactController {
  constructor(private readonly source: BatchViewSource) {}

  @Get()
  @ApiOperation({ summary: 'The recall list: every batch made from this one, with its custodian and status' })
  @ApiViewMoment()
  @ApiOkResponse({ schema: { type: 'object', additionalProperties: true } })
  async impact(
    @Param('batchId', LedgerIdPipe) batchId: string,
    @Query() moment: ViewMoment,
  ): Promise<HoldImpactView> {
    const view = await this.source.read(
      moment,
      (live) => withDescendants(batchId, live),
      (lookup) => holdImpactOf(batchId, lookup),
    );
    if (!view) throw batchNotFound(batchId);
    return view;
  }
}
