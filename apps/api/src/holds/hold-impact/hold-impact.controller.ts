import { Controller, Get, Param, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { holdImpactOf, type HoldImpactView } from '@tracelode/projections';
import { ReadModelStore } from '@tracelode/read-models';
import { LedgerIdPipe } from '../../common/ledger-id.pipe';
import { ApiMinPosition, batchNotFound, ViewsReady } from '../../ledger/views-ready';

@ApiTags('holds')
@ApiBearerAuth()
@Controller('holds/:batchId/impact')
export class HoldImpactController {
  constructor(
    private readonly views: ReadModelStore,
    private readonly ready: ViewsReady,
  ) {}

  @Get()
  @ApiOperation({ summary: 'The recall list: every batch made from this one, with its custodian and status' })
  @ApiMinPosition()
  @ApiOkResponse({ schema: { type: 'object', additionalProperties: true } })
  async impact(
    @Param('batchId', LedgerIdPipe) batchId: string,
    @Query('minPosition') minPosition?: string,
  ): Promise<HoldImpactView> {
    await this.ready.atLeast(minPosition);
    const view = holdImpactOf(batchId, (collection, key) => this.views.get(collection, key));
    if (!view) throw batchNotFound(batchId);
    return view;
  }
}
