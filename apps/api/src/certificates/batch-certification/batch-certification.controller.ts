import { Controller, Get, Param, Query } from '@nestjs/common';
import { ClientGone, ReaderContext } from '../../auth/request-context.decorators';
import type { Reader } from '@tracelode/projections';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { CertificationView } from '@tracelode/projections';
import { LedgerIdPipe } from '../../common/ledger-id.pipe';
import type { SerialisedJson } from '../../common/serialised-json';
import { ApiViewMoment, type ViewMoment, ViewSource } from '../../ledger/view-source';
import { batchNotFound } from '../../ledger/views-ready';

@ApiTags('batches')
@ApiBearerAuth()
@Controller('batches/:batchId/certification')
export class BatchCertificationController {
  constructor(private readonly source: ViewSource) {}

  @Get()
  @ApiOperation({
    summary:
      'Per scheme: certificates of the batch, whether every step of its chain was covered, the certified share and the gaps',
  })
  @ApiViewMoment()
  @ApiOkResponse({ schema: { type: 'object', additionalProperties: true } })
  async certification(
    @Param('batchId', LedgerIdPipe) batchId: string,
    @Query() moment: ViewMoment,
    @ReaderContext() reader: Reader,
    @ClientGone() gone: AbortSignal,
  ): Promise<CertificationView | SerialisedJson<CertificationView>> {
    const view = await this.source.batch({ view: 'certification', id: batchId, moment, reader, gone });
    if (!view) throw batchNotFound(batchId);
    return view;
  }
}
