import { Controller, Get, NotFoundException, Param, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CERTIFICATES, type CertificateView } from '@tracelode/projections';
import { ReadModelStore } from '@tracelode/read-models';
import { LedgerIdPipe } from '../../common/ledger-id.pipe';
import { ApiMinPosition, ViewsReady } from '../../ledger/views-ready';

@ApiTags('certificates')
@ApiBearerAuth()
@Controller('certificates/:certificateId')
export class CertificateViewsController {
  constructor(
    private readonly views: ReadModelStore,
    private readonly ready: ViewsReady,
  ) {}

  @Get()
  @ApiOperation({ summary: 'A certificate: scheme, subject, validity, status and its history with when' })
  @ApiMinPosition()
  @ApiOkResponse({ schema: { type: 'object', additionalProperties: true } })
  async certificate(
    @Param('certificateId', LedgerIdPipe) certificateId: string,
    @Query('minPosition') minPosition?: string,
  ): Promise<CertificateView> {
    await this.ready.atLeast(minPosition);
    const view = this.views.get<CertificateView>(CERTIFICATES, certificateId);
    if (!view) {
      throw new NotFoundException({
        code: 'CERTIFICATE_NOT_FOUND',
        message: `Certificate ${certificateId} does not exist`,
      });
    }
    return view;
  }
}
