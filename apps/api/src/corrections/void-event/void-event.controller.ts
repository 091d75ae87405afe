import { Body, Controller, HttpCode, Param, Post } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiCreatedResponse, ApiHeader, ApiOperation, ApiTags } from '@nestjs/swagger';
import { refuse, type VoidEvent, voidEvent } from '@tracelode/domain';
import { CommandContext } from '../../auth/request-context.decorators';
import { apiProblem } from '../../common/problem-details';
import { LedgerIdPipe } from '../../common/ledger-id.pipe';
import type { CommandMeta } from '../../ledger/command-meta';
import { LedgerCommand } from '../../ledger/command-executor';
import { ViewSource } from '../../ledger/view-source';
import { VoidEventDto, VoidResponse } from './void-event.dto';

@ApiTags('corrections')
@ApiBearerAuth()
@ApiHeader({ name: 'Idempotency-Key', required: false })
@Controller('events/:eventId/voids')
export class VoidEventController {
  constructor(
    private readonly commandBus: CommandBus,
    private readonly views: ViewSource,
  ) {}

  @Post()
  @HttpCode(201)
  @ApiOperation({
    summary: 'Void an event recorded in error that nothing depends on yet (an assay, a receipt, a hold)',
  })
  @ApiCreatedResponse({ type: VoidResponse })
  async void(
    @Param('eventId', LedgerIdPipe) eventId: string,
    @Body() body: VoidEventDto,
    @CommandContext('VoidEvent') meta: CommandMeta,
  ): Promise<VoidResponse> {
    const location = await this.views.eventLocation(eventId);
    if (!location) throw apiProblem('EVENT_NOT_FOUND', `No batch event ${eventId} is recorded`);
    const { batchId } = location;
    if (batchId === undefined) {
      throw refuse('EVENT_NOT_VOIDABLE', `A ${location.type} cannot be voided`, { eventType: location.type });
    }
    const command: VoidEvent = {
      type: 'VoidEvent',
      data: { voidId: body.voidId, eventId, batchId, reason: body.reason },
    };
    const result = { voidId: body.voidId, eventId, batchId };
    return this.commandBus.execute(new LedgerCommand(voidEvent, command, meta, result));
  }
}
