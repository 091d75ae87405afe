import { Controller, Get, Inject } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type { EventStore } from '@tracelode/event-store';
import { LogNotary } from '@tracelode/log';
import { Projector } from '@tracelode/projections';
import { Public } from '../auth/api-key.guard';
import { EVENT_STORE } from '../ledger/ledger.tokens';
import { apiProblem } from '../common/problem-details';

@ApiTags('operations')
@Controller('health')
export class HealthController {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    private readonly projector: Projector,
    private readonly notary: LogNotary,
  ) {}

  @Get()
  @Public()
  @ApiOperation({
    summary:
      'Liveness, how far the views and the Merkle log are behind the log, and whether the log passed its integrity checks (no API key needed)',
  })
  async health(): Promise<{ status: 'ok'; logPosition: string; viewsPosition: string; treeSize: number }> {
    const failure = this.projector.error;
    if (failure) {
      throw apiProblem('PROJECTOR_FAILED', `The views stopped updating: ${failure.message}`);
    }
    const integrity = this.notary.error;
    if (integrity) {
      throw apiProblem('LOG_INTEGRITY_FAILED', `The log cannot be notarised: ${integrity.message}`);
    }
    const head = await this.store.headPosition();
    return {
      status: 'ok',
      logPosition: head.toString(),
      viewsPosition: this.projector.position.toString(),
      treeSize: this.notary.size,
    };
  }
}
