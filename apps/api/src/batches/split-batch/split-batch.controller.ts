import { Body, Controller, HttpCode, Param, Post } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiCreatedResponse, ApiHeader, ApiOperation, ApiTags } from '@nestjs/swagger';
import { kgToGrams, splitBatch, type SplitBatch } from '@tracelode/domain';
import { CommandContext } from '../../auth/request-context.decorators';
import { LedgerIdPipe } from '../../common/ledger-id.pipe';
import type { CommandMeta } from '../../ledger/command-meta';
import { LedgerCommand } from '../../ledger/command-executor';
import { SplitBatchDto, SplitResponse } from './split-batch.dto';

@ApiTags('batches')
@ApiBearerAuth()
@ApiHeader({ name: 'Idempotency-Key', required: false })
@Controller('batches/:batchId/splits')
export class SplitBatchController {
  constructor(private readonly commandBus: CommandBus) {}

  @Post()
  @HttpCode(201)
  @ApiOperation({
    summary: 'Split child lots off a batch at its facility (its custodian); the rest stays in the batch',
  })
  @ApiCreatedResponse({ type: SplitResponse })
  split(
    @Param('batchId', LedgerIdPipe) batchId: string,
    @Body() body: SplitBatchDto,
    @CommandContext('SplitBatch') meta: CommandMeta,
  ): Promise<SplitResponse> {
    const command: SplitBatch = {
      type: 'SplitBatch',
      data: {
        batchId,
        splitId: body.splitId,
        outputs: body.outputs.map((output) => ({
          batchId: output.batchId,
          massGrams: kgToGrams(output.massKg),
        })),
        occurredAt: body.occurredAt,
      },
    };
    const result = {
      batchId,
      splitId: body.splitId,
      outputBatchIds: body.outputs.map((output) => output.batchId),
    };
    return this.commandBus.execute(new LedgerCommand(splitBatch, command, meta, result));
  }
}
