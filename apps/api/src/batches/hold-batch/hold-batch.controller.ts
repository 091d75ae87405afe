import { Body, Controller, HttpCode, Param, Post } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiCreatedResponse, ApiHeader, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CommandContext } from '../../auth/request-context.decorators';
import { LedgerIdPipe } from '../../common/ledger-id.pipe';
import type { CommandMeta } from '../../ledger/command-meta';
import { LedgerCommand } from '../../ledger/command-executor';
import { holdBatch, releaseBatch } from '@tracelode/domain';
import { HoldDto, HoldResponse } from './hold-batch.dto';

@ApiTags('batches')
@ApiBearerAuth()
@ApiHeader({ name: 'Idempotency-Key', required: false })
@Controller('batches/:batchId')
export class HoldBatchController {
  constructor(private readonly commandBus: CommandBus) {}

  @Post('holds')
  @HttpCode(201)
  @ApiOperation({ summary: 'Place a hold on a batch: it cannot be shipped until released (regulator)' })
  @ApiCreatedResponse({ type: HoldResponse })
  hold(
    @Param('batchId', LedgerIdPipe) batchId: string,
    @Body() body: HoldDto,
    @CommandContext('HoldBatch') meta: CommandMeta,
  ): Promise<HoldResponse> {
    const data = { batchId, reason: body.reason, occurredAt: body.occurredAt };
    return this.commandBus.execute(
      new LedgerCommand(holdBatch, { type: 'HoldBatch', data }, meta, { batchId, held: true }),
    );
  }

  @Post('releases')
  @HttpCode(201)
  @ApiOperation({ summary: 'Release a held batch (regulator)' })
  @ApiCreatedResponse({ type: HoldResponse })
  release(
    @Param('batchId', LedgerIdPipe) batchId: string,
    @Body() body: HoldDto,
    @CommandContext('ReleaseBatch') meta: CommandMeta,
  ): Promise<HoldResponse> {
    const data = { batchId, reason: body.reason, occurredAt: body.occurredAt };
    return this.commandBus.execute(
      new LedgerCommand(releaseBatch, { type: 'ReleaseBatch', data }, meta, { batchId, held: false }),
    );
  }
}
