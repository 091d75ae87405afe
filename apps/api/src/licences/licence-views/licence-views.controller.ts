import { Controller, Get, Param, Query } from '@nestjs/common';
import { ReaderContext } from '../../auth/request-context.decorators';
import type { Reader } from '@tracelode/projections';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import type { LicenceView } from '@tracelode/projections';
import { LedgerIdPipe } from '../../common/ledger-id.pipe';
import { StoredEventDto, toStoredEventDto } from '../../common/dto/stored-event.dto';
import { ViewSource } from '../../ledger/view-source';
import { ApiMinPosition } from '../../ledger/views-ready';
import { LicenceViewDto } from './licence-views.dto';
import { refuse } from '@tracelode/domain';

@ApiTags('licences')
@ApiBearerAuth()
@Controller('licences')
export class LicenceViewsController {
  constructor(private readonly source: ViewSource) {}

  @Get()
  @ApiOperation({
    summary: 'Licences, optionally those held by one organisation',
    description: 'A scan of the licence views: fine for a regulator’s register, not yet indexed.',
  })
  @ApiQuery({ name: 'holderOrgId', required: false })
  @ApiMinPosition()
  @ApiOkResponse({ type: [LicenceViewDto] })
  async list(
    @ReaderContext() reader: Reader,
    @Query('holderOrgId') holderOrgId?: string,
    @Query('minPosition') minPosition?: string,
  ): Promise<LicenceView[]> {
    return (await this.source.list('licences', reader, { minPosition })).filter(
      (licence) => holderOrgId === undefined || licence.holderOrgId === holderOrgId,
    );
  }

  @Get(':licenceId')
  @ApiOperation({ summary: 'A licence’s usage: cap, drawn, remaining, exports and status history' })
  @ApiMinPosition()
  @ApiOkResponse({ type: LicenceViewDto })
  async licence(
    @Param('licenceId', LedgerIdPipe) licenceId: string,
    @ReaderContext() reader: Reader,
    @Query('minPosition') minPosition?: string,
  ): Promise<LicenceView> {
    const view = await this.source.document({
      view: 'licence',
      id: licenceId,
      moment: { minPosition },
      reader,
    });
    if (!view) throw refuse('LICENCE_NOT_FOUND', `Licence ${licenceId} does not exist`);
    return view;
  }

  @Get(':licenceId/events')
  @ApiOperation({ summary: 'The licence’s events in log order, with their envelopes (the audit trail)' })
  @ApiOkResponse({ type: [StoredEventDto] })
  async events(
    @Param('licenceId', LedgerIdPipe) licenceId: string,
    @ReaderContext() reader: Reader,
  ): Promise<StoredEventDto[]> {
    const events = (await this.source.events({ view: 'licence', id: licenceId, reader })).map(
      toStoredEventDto,
    );
    if (events.length === 0) throw refuse('LICENCE_NOT_FOUND', `Licence ${licenceId} does not exist`);
    return events;
  }
}
