import { Controller, Get, Param, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { certificationOf, type CertificationView } from '@tracelode/projections';
import { ReadModelStore } from '@tracelode/read-models';
import { LedgerIdPipe } from '../../common/ledger-id.pipe';
import { ApiMinPosition, batchNotFound, ViewsReady } from '../../ledger/views-ready';

@ApiTags('batches')
@ApiBearerAuth()
@Controller('batches/:batchId/certification')
export class BatchCertificationController {
  constructor(
    private readonly views: ReadModelStore,
    private readonly ready: ViewsReady,
  ) {}

  @Get()
  @ApiOperation({
    summary:
      'Per scheme: certificates of the batch, whether every step of its chain was covered, the certified share and the gaps',
  })
  @ApiMinPosition()
  @ApiOkResponse({ schema: { type: 'object', additionalProperties: true } })
  async certification(
    @Param('batchId', LedgerIdPipe) batchId: string,
    @Query('minPosition') minPosition?: string,
  ): Promise<CertificationView> {
    await this.ready.atLeast(minPosition);
    const view = certificationOf(batchId, (collection, key) => this.views.get(collection, key));
    if (!view) throw batchNotFound(batchId);
    return view;
  }
}
