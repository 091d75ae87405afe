import { Controller, Get, Param, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { certificationOf, type CertificationView } from '@tracelode/projections';
import { LedgerIdPipe } from '../../common/ledger-id.pipe';
import { ApiViewMoment, BatchViewSource, type ViewMoment } from '../../ledger/batch-view-source';
import { batchNotFound } from '../../ledger/views-ready';

@ApiTags('batches')
@ApiBearerAuth()
@Controller('batches/:batchId/certification')
export class BatchCertificationController {
  constructor(private readonly source: BatchViewSource) {}

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
  ): Promise<CertificationView> {
    const view = await this.source.read(
      moment,
      () => [batchId],
      (lookup) => certificationOf(batchId, lookup),
    );
    if (!view) throw batchNotFound(batchId);
    return view;
  }
}
