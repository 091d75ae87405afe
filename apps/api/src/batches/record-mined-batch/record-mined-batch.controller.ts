import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiCreatedResponse, ApiHeader, ApiOperation, ApiTags } from '@nestjs/swagger';
import { kgToGrams } from '@tracelode/domain';
import { CommandContext } from '../../auth/request-context.decorators';
import type { CommandMeta } from '../../ledger/command-meta';
import { LedgerCommand } from '../../ledger/command-executor';
import { mineBatch } from '@tracelode/domain';
import { BatchCommandResponse, RecordMinedBatchDto } from './record-mined-batch.dto';

@ApiTags('batches')
@ApiBearerAuth()
@ApiHeader({ name: 'Idempotency-Key', required: false })
@Controller('batches/mined')
export class RecordMinedBatchController {
  constructor(private readonly commandBus: CommandBus) {}

  @Post()
  @HttpCode(201)
  @ApiOperation({ summary: 'Record a batch extracted at one of your mines (producer)' })
  @ApiCreatedResponse({ type: BatchCommandResponse })
  record(
    @Body() body: RecordMinedBatchDto,
    @CommandContext('MineBatch') meta: CommandMeta,
  ): Promise<BatchCommandResponse> {
    const { massKg, material, extractionEmissionsKgCo2e, ...rest } = body;
    const data = {
      ...rest,
      material: { ...material },
      massGrams: kgToGrams(massKg),
      ...(extractionEmissionsKgCo2e !== undefined ? { extractionEmissionsKgCo2e } : {}),
    };
    return this.commandBus.execute(
      new LedgerCommand(mineBatch, { type: 'MineBatch', data }, meta, { batchId: body.batchId }),
    );
  }
}
