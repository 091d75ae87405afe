import { Body, Controller, HttpCode, Param, Post } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiCreatedResponse, ApiHeader, ApiOperation, ApiTags } from '@nestjs/swagger';
import { type CorrectEvent, correctEvent } from '@tracelode/domain';
import { CommandContext } from '../../auth/request-context.decorators';
import { apiProblem } from '../../common/problem-details';
import { LedgerIdPipe } from '../../common/ledger-id.pipe';
import type { CommandMeta } from '../../ledger/command-meta';
import { LedgerCommand } from '../../ledger/command-executor';
import { ViewSource } from '../../ledger/view-source';
import { CorrectEventDto, CorrectionResponse } from './correct-event.dto';

@ApiTags('corrections')
@ApiBearerAuth()
@ApiHeader({ name: 'Idempotency-Key', required: false })
@Controller('events/:eventId/corrections')
export class CorrectEventController {
  constructor(
    private readonly commandBus: CommandBus,
    private readonly views: ViewSource,
  ) {}

  @Post()
  @HttpCode(201)
  @ApiOperation({
    summary:
      'Correct a recorded event (its recorder): a new event in its stream; every view downstream follows',
  })
  @ApiCreatedResponse({ type: CorrectionResponse })
  async correct(
    @Param('eventId', LedgerIdPipe) eventId: string,
    @Body() body: CorrectEventDto,
    @CommandContext('CorrectEvent') meta: CommandMeta,
  ): Promise<CorrectionResponse> {
    const location = await this.views.eventLocation(eventId);
    if (!location) throw apiProblem('EVENT_NOT_FOUND', `No batch event ${eventId} is recorded`);
    // A batch's event is corrected on the batch's stream; a transformation's declaration, on its own.
    const stream =
      location.transformationId !== undefined
        ? { transformationId: location.transformationId }
        : { batchId: location.batchId ?? '' };
    const command: CorrectEvent = {
      type: 'CorrectEvent',
      data: {
        correctionId: body.correctionId,
        eventId,
        ...stream,
        reason: body.reason,
        changes: { ...body.changes },
      },
    };
    const result = { correctionId: body.correctionId, eventId, ...stream };
    return this.commandBus.execute(new LedgerCommand(correctEvent, command, meta, result));
  }
}
