import { Controller, Get, Param, Query } from '@nestjs/common';
import { ReaderContext } from '../../auth/request-context.decorators';
import type { Reader } from '@tracelode/projections';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { CertificateView } from '@tracelode/projections';
import { LedgerIdPipe } from '../../common/ledger-id.pipe';
import { ViewSource } from '../../ledger/view-source';
import { ApiMinPosition } from '../../ledger/views-ready';
import { refuse } from '@tracelode/domain';

@ApiTags('certificates')
@ApiBearerAuth()
@Controller('certificates/:certificateId')
export class CertificateViewsController {
  constructor(private readonly source: ViewSource) {}

  @Get()
  @ApiOperation({ summary: 'A certificate: scheme, subject, validity, status and its history with when' })
  @ApiMinPosition()
  @ApiOkResponse({ schema: { type: 'object', additionalProperties: true } })
  async certificate(
    @Param('certificateId', LedgerIdPipe) certificateId: string,
    @ReaderContext() reader: Reader,
    @Query('minPosition') minPosition?: string,
  ): Promise<CertificateView> {
    const moment = { minPosition };
    const view = await this.source.document({ view: 'certificate', id: certificateId, moment, reader });
    if (!view) {
      throw refuse('CERTIFICATE_NOT_FOUND', `Certificate ${certificateId} does not exist`);
    }
    return view;
  }
}
