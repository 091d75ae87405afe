import { Controller, Get, Param, Query } from '@nestjs/common';
import { ReaderContext } from '../../auth/request-context.decorators';
import type { Reader } from '@tracelode/projections';
import {
  ApiBearerAuth,
  ApiExtraModels,
  ApiOkResponse,
  ApiOperation,
  ApiQuery,
  ApiTags,
  getSchemaPath,
} from '@nestjs/swagger';
import { apiProblem } from '../../common/problem-details';
import { LedgerIdPipe } from '../../common/ledger-id.pipe';
import type { SerialisedJson } from '../../common/serialised-json';
import { ApiViewMoment, type ViewMoment, ViewSource } from '../../ledger/view-source';
import { batchNotFound } from '../../ledger/views-ready';
import { DescendantsDto, ProvenanceDto } from './batch-provenance.dto';

@ApiTags('batches')
@ApiBearerAuth()
@ApiExtraModels(ProvenanceDto, DescendantsDto)
@Controller('batches/:batchId/provenance')
export class BatchProvenanceController {
  constructor(private readonly source: ViewSource) {}

  @Get()
  @ApiOperation({
    summary: 'Where the batch came from: parents, children, depth and origin mix by mined batch',
    description: 'With `direction=descendants`, what the batch ended up in instead (breadth-first).',
  })
  @ApiQuery({ name: 'direction', required: false, enum: ['descendants'] })
  @ApiViewMoment()
  @ApiOkResponse({
    schema: { oneOf: [{ $ref: getSchemaPath(ProvenanceDto) }, { $ref: getSchemaPath(DescendantsDto) }] },
  })
  async provenance(
    @Param('batchId', LedgerIdPipe) batchId: string,
    @Query('direction') direction: string | undefined,
    @Query() moment: ViewMoment,
    @ReaderContext() reader: Reader,
  ): Promise<ProvenanceDto | DescendantsDto | SerialisedJson<ProvenanceDto | DescendantsDto>> {
    if (direction !== undefined && direction !== 'descendants') {
      throw apiProblem('INVALID_DIRECTION', 'direction must be "descendants" (or left out for the origins)');
    }
    const answer = await this.source.batch({
      view: direction === 'descendants' ? 'descendants' : 'provenance',
      id: batchId,
      moment,
      reader,
    });
    if (!answer) throw batchNotFound(batchId);
    return answer;
  }
}
