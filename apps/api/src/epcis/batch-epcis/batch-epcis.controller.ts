import { Controller, Get, Header, Inject, Param, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import { EpcisIds, toEpcisEvents } from '@tracelode/epcis';
import type { Reader } from '@tracelode/projections';
import { ReaderContext } from '../../auth/request-context.decorators';
import { LedgerIdPipe } from '../../common/ledger-id.pipe';
import type { LedgerConfig } from '../../config/ledger-config';
import { LEDGER_CONFIG } from '../../ledger/ledger.tokens';
import { ViewSource } from '../../ledger/view-source';
import { ApiMinPosition, batchNotFound, ViewsReady } from '../../ledger/views-ready';
import { CBV_VERSION, EPCIS_VERSION, epcisDocument, JSON_LD } from '../epcis-documents';

@ApiTags('epcis')
@ApiBearerAuth()
@Controller('batches/:batchId/epcis')
export class BatchEpcisController {
  private readonly ids: EpcisIds;

  constructor(
    private readonly source: ViewSource,
    private readonly ready: ViewsReady,
    @Inject(LEDGER_CONFIG) config: LedgerConfig,
  ) {
    this.ids = new EpcisIds(config.publicUrl);
  }

  @Get()
  @Header('Content-Type', `${JSON_LD}; charset=utf-8`)
  @Header('GS1-EPCIS-Version', EPCIS_VERSION)
  @Header('GS1-CBV-Version', CBV_VERSION)
  @ApiOperation({
    summary: 'The lot’s chain as a GS1 EPCIS 2.0 EPCISDocument (JSON-LD), as the reader may see it',
    description:
      'Every physical step of the lot and its ancestors that the reader may see (docs/epcis.md has the mapping, docs/visibility.md the policy), with the fields withheld from it left out. Strangers get 404 BATCH_NOT_FOUND.',
  })
  @ApiProduces(JSON_LD)
  @ApiMinPosition()
  @ApiOkResponse({ schema: { type: 'object', additionalProperties: true } })
  async export(
    @Param('batchId', LedgerIdPipe) batchId: string,
    @ReaderContext() reader: Reader,
    @Query('minPosition') minPosition?: string,
  ): Promise<ReturnType<typeof epcisDocument>> {
    // Read your writes: whether the reader may read the lot is decided from the views.
    await this.ready.atLeast(minPosition);
    const events = await this.source.chainEvents(batchId, reader);
    if (!events) throw batchNotFound(batchId);
    // GLNs only of organisations the reader may identify (ADR 0031): the others by the ledger's URIs.
    const ids = this.ids.withGlns(this.source.epcisGlns(reader, events)(batchId));
    return epcisDocument(ids, toEpcisEvents(events, ids), `${ids.batch(batchId)}/epcis`);
  }
}
