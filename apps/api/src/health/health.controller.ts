import { Controller, Get, HttpException, Inject } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type { EventStore } from '@tracelode/event-store';
import { Projector } from '@tracelode/projections';
import { Public } from '../auth/api-key.guard';
import { EVENT_STORE } from '../ledger/ledger.tokens';

@ApiTags('operations')
@Controller('health')
export class HealthController {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    private readonly projector: Projector,
  ) {}

  @Get()
  @Public()
  @ApiOperation({ summary: 'Liveness and how far the views are behind the log (no API key needed)' })
  async health(): Promise<{ status: 'ok'; logPosition: string; viewsPosition: string }> {
    const failure = this.projector.error;
    if (failure) {
      throw new HttpException(
        { code: 'PROJECTOR_FAILED', message: `The views stopped updating: ${failure.message}` },
        503,
      );
    }
    const head = await this.store.headPosition();
    return { status: 'ok', logPosition: head.toString(), viewsPosition: this.projector.position.toString() };
  }
}
