import { Controller, Get, Param, Query } from '@nestjs/common';
import { ClientGone, ReaderContext } from '../../auth/request-context.decorators';
import type { Reader } from '@tracelode/projections';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { HoldImpactView } from '@tracelode/projections';
import { LedgerIdPipe } from '../../common/ledger-id.pipe';
import type { SerialisedJson } from '../../common/serialised-json';
import { ApiViewMoment, type ViewMoment, ViewSource } from '../../ledger/view-source';
import { batchNotFound } from '../../ledger/views-ready';

@ApiTags('holds')
@ApiBearerAuth()
@Controller('holds/:batchId/impact')
export class HoldImpactController {
  constructor(private readonly source: ViewSource) {}

  @Get()
  @ApiOperation({ summary: 'The recall list: every batch made from this one, with its custodian and status' })
  @ApiViewMoment()
  @ApiOkResponse({ schema: { type: 'object', additionalProperties: true } })
  async impact(
    @Param('batchId', LedgerIdPipe) batchId: string,
    @Query() moment: ViewMoment,
    @ReaderContext() reader: Reader,
    @ClientGone() gone: AbortSignal,
  ): Promise<HoldImpactView | SerialisedJson<HoldImpactView>> {
    const view = await this.source.batch({ view: 'holdImpact', id: batchId, moment, reader, gone });
    if (!view) throw batchNotFound(batchId);
    return view;
  }
}
