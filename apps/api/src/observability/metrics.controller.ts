import { Controller, Get, NotFoundException, Req, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { type AuthenticatedRequest, Public } from '../auth/api-key.guard';
import { ADMIN_ACTOR } from '../auth/auth.service';
import { LedgerMetrics } from './ledger-metrics';

@ApiTags('operations')
@ApiBearerAuth()
@Controller('metrics')
export class MetricsController {
  constructor(private readonly metrics: LedgerMetrics) {}

  /**
   * Public to the guards, so that no caller learns from a 401 or 403 that the route exists: the admin
   * token reads the metrics, anyone else gets the 404 of a route that does not exist (docs/visibility.md).
   */
  @Get()
  @Public()
  @ApiOperation({
    summary:
      'Prometheus metrics (text format 0.0.4): the admin token only, 404 to anyone else; or unauthenticated on TRACELODE_METRICS_PORT (loopback)',
  })
  @ApiProduces('text/plain')
  async read(@Req() request: AuthenticatedRequest, @Res() reply: FastifyReply): Promise<void> {
    const edge = request.authentication;
    if (edge === undefined || edge === 'rejected' || edge.actor !== ADMIN_ACTOR) {
      throw new NotFoundException(`Cannot ${request.method} ${request.url}`);
    }
    await reply.header('content-type', this.metrics.contentType).send(await this.metrics.text());
  }
}
