import { Controller, Get, HttpException, Param, Query } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiExtraModels,
  ApiOkResponse,
  ApiOperation,
  ApiQuery,
  ApiTags,
  getSchemaPath,
} from '@nestjs/swagger';
import { PROVENANCE, type ProvenanceView, traceDescendants } from '@tracelode/projections';
import { ReadModelStore } from '@tracelode/read-models';
import { LedgerIdPipe } from '../../common/ledger-id.pipe';
import { ApiMinPosition, batchNotFound, ViewsReady } from '../../ledger/views-ready';
import { DescendantsDto, ProvenanceDto } from './batch-provenance.dto';

@ApiTags('batches')
@ApiBearerAuth()
@ApiExtraModels(ProvenanceDto, DescendantsDto)
@Controller('batches/:batchId/provenance')
export class BatchProvenanceController {
  constructor(
    private readonly views: ReadModelStore,
    private readonly ready: ViewsReady,
  ) {}

  @Get()
  @ApiOperation({
    summary: 'Where the batch came from: parents, children, depth and origin mix by mined batch',
    description: 'With `direction=descendants`, what the batch ended up in instead (breadth-first).',
  })
  @ApiQuery({ name: 'direction', required: false, enum: ['descendants'] })
  @ApiMinPosition()
  @ApiOkResponse({
    schema: { oneOf: [{ $ref: getSchemaPath(ProvenanceDto) }, { $ref: getSchemaPath(DescendantsDto) }] },
  })
  async provenance(
    @Param('batchId', LedgerIdPipe) batchId: string,
    @Query('direction') direction?: string,
    @Query('minPosition') minPosition?: string,
  ): Promise<ProvenanceDto | DescendantsDto> {
    if (direction !== undefined && direction !== 'descendants') {
      throw new HttpException(
        {
          code: 'INVALID_DIRECTION',
          message: 'direction must be "descendants" (or left out for the origins)',
        },
        400,
      );
    }
    await this.ready.atLeast(minPosition);
    const view = this.view(batchId);
    if (!view) throw batchNotFound(batchId);
    if (direction === 'descendants') {
      const descendants = traceDescendants(view, (id) => this.view(id));
      return { batchId, direction, descendants };
    }
    const { parents, children, depth, origins } = view;
    return { batchId, parents: [...parents], children: [...children], depth, origins: [...origins] };
  }

  private view(batchId: string): ProvenanceView | undefined {
    return this.views.get<ProvenanceView>(PROVENANCE, batchId);
  }
}
