import { Controller, Get, Inject, NotFoundException, Param, Query } from '@nestjs/common';
import { toLicenceStreamId } from '@tracelode/domain';
import type { EventStore } from '@tracelode/event-store';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import { LICENCES, type LicenceView } from '@tracelode/projections';
import { ReadModelStore } from '@tracelode/read-models';
import { LedgerIdPipe } from '../../common/ledger-id.pipe';
import { EVENT_STORE } from '../../ledger/ledger.tokens';
import { ApiMinPosition, ViewsReady } from '../../ledger/views-ready';
import { StoredEventDto } from '../../batches/batch-views/batch-views.dto';
import { LicenceViewDto } from './licence-views.dto';

@ApiTags('licences')
@ApiBearerAuth()
@Controller('licences')
export class LicenceViewsController {
  constructor(
    private readonly views: ReadModelStore,
    private readonly ready: ViewsReady,
    @Inject(EVENT_STORE) private readonly store: EventStore,
  ) {}

  @Get()
  @ApiOperation({
    summary: 'Licences, optionally those held by one organisation',
    description: 'A scan of the licence views: fine for a regulator’s register, not yet indexed.',
  })
  @ApiQuery({ name: 'holderOrgId', required: false })
  @ApiMinPosition()
  @ApiOkResponse({ type: [LicenceViewDto] })
  async list(
    @Query('holderOrgId') holderOrgId?: string,
    @Query('minPosition') minPosition?: string,
  ): Promise<LicenceView[]> {
    await this.ready.atLeast(minPosition);
    return this.views
      .all<LicenceView>(LICENCES)
      .map((row) => row.view)
      .filter((licence) => holderOrgId === undefined || licence.holderOrgId === holderOrgId);
  }

  @Get(':licenceId')
  @ApiOperation({ summary: 'A licence’s usage: cap, drawn, remaining, exports and status history' })
  @ApiMinPosition()
  @ApiOkResponse({ type: LicenceViewDto })
  async licence(
    @Param('licenceId', LedgerIdPipe) licenceId: string,
    @Query('minPosition') minPosition?: string,
  ): Promise<LicenceView> {
    await this.ready.atLeast(minPosition);
    const view = this.views.get<LicenceView>(LICENCES, licenceId);
    if (!view)
      throw new NotFoundException({
        code: 'LICENCE_NOT_FOUND',
        message: `Licence ${licenceId} does not exist`,
      });
    return view;
  }

  @Get(':licenceId/events')
  @ApiOperation({ summary: 'The licence’s events in log order, with their envelopes (the audit trail)' })
  @ApiOkResponse({ type: [StoredEventDto] })
  async events(@Param('licenceId', LedgerIdPipe) licenceId: string): Promise<StoredEventDto[]> {
    const events: StoredEventDto[] = [];
    for await (const stored of this.store.readStream(toLicenceStreamId(licenceId))) {
      events.push({
        position: stored.position.toString(),
        stream: stored.stream,
        revision: stored.revision.toString(),
        eventId: stored.eventId,
        type: stored.type,
        data: stored.data,
        metadata: stored.metadata,
        recordedAt: stored.recordedAt,
      });
    }
    if (events.length === 0)
      throw new NotFoundException({
        code: 'LICENCE_NOT_FOUND',
        message: `Licence ${licenceId} does not exist`,
      });
    return events;
  }
}
