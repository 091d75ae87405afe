import { Controller, Get, Param, Query } from '@nestjs/common';
import { ClientGone, ReaderContext } from '../../auth/request-context.decorators';
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
import { DescendantsDto, ProvenanceDto, ProvenanceGraphDto } from './batch-provenance.dto';

@ApiTags('batches')
@ApiBearerAuth()
@ApiExtraModels(ProvenanceDto, DescendantsDto, ProvenanceGraphDto)
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
    @ClientGone() gone: AbortSignal,
  ): Promise<ProvenanceDto | DescendantsDto | SerialisedJson<ProvenanceDto | DescendantsDto>> {
    if (direction !== undefined && direction !== 'descendants') {
      throw apiProblem('INVALID_DIRECTION', 'direction must be "descendants" (or left out for the origins)');
    }
    const answer = await this.source.batch({
      view: direction === 'descendants' ? 'descendants' : 'provenance',
      id: batchId,
      moment,
      reader,
      gone,
    });
    if (!answer) throw batchNotFound(batchId);
    return answer;
  }

  @Get('graph')
  @ApiOperation({
    summary: "The lot's whole provenance graph in one read: every ancestor back to the mines, each link",
    description:
      'Nodes: batch, material form, mass, the site (mine or transformation site) and its country, and how each ' +
      "scheme of the lot's certification covers its steps; edges: consumed mass and share. With " +
      '`direction=descendants`, what the lot went into instead (the descendants the reader may list; no ' +
      'coverage). More than TRACELODE_MAX_GRAPH_NODES batches: 422 GRAPH_TOO_LARGE with `maxNodes`.',
  })
  @ApiQuery({ name: 'direction', required: false, enum: ['ancestors', 'descendants'] })
  @ApiViewMoment()
  @ApiOkResponse({ type: ProvenanceGraphDto })
  async graph(
    @Param('batchId', LedgerIdPipe) batchId: string,
    @Query('direction') direction: string | undefined,
    @Query() moment: ViewMoment,
    @ReaderContext() reader: Reader,
    @ClientGone() gone: AbortSignal,
  ): Promise<ProvenanceGraphDto | SerialisedJson<ProvenanceGraphDto>> {
    if (direction !== undefined && direction !== 'ancestors' && direction !== 'descendants') {
      throw apiProblem('INVALID_DIRECTION', 'direction must be "ancestors" (the default) or "descendants"');
    }
    const answer = await this.source.batch({
      view: direction === 'descendants' ? 'descendantGraph' : 'graph',
      id: batchId,
      moment,
      reader,
      gone,
    });
    if (!answer) throw batchNotFound(batchId);
    return answer as ProvenanceGraphDto | SerialisedJson<ProvenanceGraphDto>;
  }
}
