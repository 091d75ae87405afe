import { Controller, Get, Query } from '@nestjs/common';
import { ReaderContext } from '../../auth/request-context.decorators';
import type { Reader } from '@tracelode/projections';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import type { ExportView } from '@tracelode/projections';
import { ViewSource } from '../../ledger/view-source';
import { ApiMinPosition } from '../../ledger/views-ready';
import { apiProblem } from '../../common/problem-details';
import { parseInstant } from '../../common/instant';

@ApiTags('exports')
@ApiBearerAuth()
@Controller('exports')
export class ExportViewsController {
  constructor(private readonly source: ViewSource) {}

  @Get()
  @ApiOperation({
    summary: 'Exports, filtered by licence and by occurredAt (from inclusive, to exclusive)',
    description: 'A scan of the export views: fine for a regulator’s register, not yet indexed.',
  })
  @ApiQuery({ name: 'licenceId', required: false })
  @ApiQuery({ name: 'from', required: false, example: '2026-01-01T00:00:00Z' })
  @ApiQuery({ name: 'to', required: false, example: '2027-01-01T00:00:00Z' })
  @ApiMinPosition()
  @ApiOkResponse({ schema: { type: 'array', items: { type: 'object', additionalProperties: true } } })
  async list(
    @ReaderContext() reader: Reader,
    @Query('licenceId') licenceId?: string,
    @Query('from') from?: string,
    @Query('to') to?: string,
    @Query('minPosition') minPosition?: string,
  ): Promise<ExportView[]> {
    const fromMs = instant('from', from, Number.NEGATIVE_INFINITY);
    const toMs = instant('to', to, Number.POSITIVE_INFINITY);
    return (await this.source.list('exports', reader, { minPosition }))
      .filter((view) => licenceId === undefined || view.licenceId === licenceId)
      .filter((view) => {
        const at = Date.parse(view.occurredAt);
        return at >= fromMs && at < toMs;
      })
      .sort((a, b) => Date.parse(a.occurredAt) - Date.parse(b.occurredAt));
  }
}

function instant(name: string, value: string | undefined, otherwise: number): number {
  if (value === undefined || value === '') return otherwise;
  const ms = parseInstant(value);
  if (ms === undefined) {
    throw apiProblem(
      'INVALID_TIME',
      `${name} must be an ISO 8601 date-time with an offset, e.g. 2026-04-01T00:00:00Z`,
    );
  }
  return ms;
}
