import {
  type ArgumentsHost,
  Catch,
  Controller,
  type ExceptionFilter,
  Get,
  Inject,
  ServiceUnavailableException,
  UseFilters,
} from '@nestjs/common';
import { HealthCheck, HealthCheckService, HealthIndicatorService } from '@nestjs/terminus';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type { LogFollower } from '@tracelode/event-store';
import { LogNotary } from '@tracelode/log';
import { Projector } from '@tracelode/projections';
import type { FastifyReply } from 'fastify';
import { Public } from '../auth/api-key.guard';
import type { LedgerConfig } from '../config/ledger-config';
import { LEDGER_CONFIG } from '../ledger/ledger.tokens';
import { HeadReader } from './head-reader';

/** Terminus answers a failed check with its own shape (status, info, error, details), not problem+json. */
@Catch(ServiceUnavailableException)
class TerminusShape implements ExceptionFilter {
  catch(exception: ServiceUnavailableException, host: ArgumentsHost): void {
    void host
      .switchToHttp()
      .getResponse<FastifyReply>()
      .status(503)
      .header('content-type', 'application/json; charset=utf-8')
      .send(exception.getResponse());
  }
}

/** Liveness and readiness for an orchestrator, with @nestjs/terminus; `/health` itself is HealthController's. */
@ApiTags('operations')
@Controller('health')
@UseFilters(TerminusShape)
export class ReadinessController {
  private readonly started = Date.now();

  constructor(
    private readonly health: HealthCheckService,
    private readonly indicators: HealthIndicatorService,
    private readonly heads: HeadReader,
    @Inject(LEDGER_CONFIG) private readonly config: LedgerConfig,
    private readonly projector: Projector,
    private readonly notary: LogNotary,
  ) {}

  @Get('live')
  @Public()
  @HealthCheck()
  @ApiOperation({ summary: 'Liveness: the process answers (no API key needed; reads nothing)' })
  live() {
    return this.health.check([
      () =>
        this.indicators
          .check('process')
          .up({ uptimeSeconds: Math.round((Date.now() - this.started) / 1000) }),
    ]);
  }

  @Get('ready')
  @Public()
  @HealthCheck()
  @ApiOperation({
    summary:
      'Readiness: the store answers and the views and the notary are within TRACELODE_READY_LAG events of its head; 503 with the same shape when not (no API key needed)',
  })
  async ready() {
    const maxLag = this.config.readyLag;
    const answer = await this.heads.read();
    const head = 'head' in answer ? answer.head : undefined;
    const follower = (key: 'views' | 'notary', position: bigint, follows: LogFollower) => {
      const { error, interruption } = follows;
      const indicator = this.indicators.check(key);
      if (head === undefined) return indicator.down({ message: 'the store did not answer' });
      const lag = Math.max(0, Number(head - position));
      const details = { position: position.toString(), lag, maxLag };
      if (error) return indicator.down({ ...details, message: `stopped: ${error.message}` });
      if (interruption)
        return indicator.down({
          ...details,
          message: `reading the log again after: ${interruption.message}`,
        });
      if (lag > maxLag) return indicator.down({ ...details, message: `${lag} events behind the log` });
      return indicator.up(details);
    };
    return this.health.check([
      () =>
        head === undefined
          ? this.indicators.check('store').down({ message: 'failure' in answer ? answer.failure : '' })
          : this.indicators.check('store').up({ head: head.toString() }),
      () => follower('views', this.projector.position, this.projector),
      () => follower('notary', BigInt(this.notary.size), this.notary),
    ]);
  }
}
