import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiCreatedResponse, ApiHeader, ApiOperation, ApiTags } from '@nestjs/swagger';
import { type BlendBatches, blendBatches, gramsToKg, kgToGrams } from '@tracelode/domain';
import { CommandContext } from '../../auth/request-context.decorators';
import type { CommandMeta } from '../../ledger/command-meta';
import { LedgerCommand } from '../../ledger/command-executor';
import { BlendBatchesDto, BlendResponse } from './blend-batches.dto';

@ApiTags('transformations')
@ApiBearerAuth()
@ApiHeader({ name: 'Idempotency-Key', required: false })
@Controller('blends')
export class BlendBatchesController {
  constructor(private readonly commandBus: CommandBus) {}

  @Post()
  @HttpCode(201)
  @ApiOperation({
    summary: 'Blend lots of one form at one of your facilities into a new lot (no processing, no emissions)',
  })
  @ApiCreatedResponse({ type: BlendResponse })
  blend(
    @Body() body: BlendBatchesDto,
    @CommandContext('BlendBatches') meta: CommandMeta,
  ): Promise<BlendResponse> {
    const inputs = body.inputs.map((input) => ({
      batchId: input.batchId,
      consumedGrams: kgToGrams(input.consumedKg),
    }));
    const command: BlendBatches = {
      type: 'BlendBatches',
      data: {
        blendId: body.blendId,
        facilityId: body.facilityId,
        inputs,
        output: { batchId: body.output.batchId, material: { ...body.output.material } },
        occurredAt: body.occurredAt,
      },
    };
    const result = {
      blendId: body.blendId,
      outputBatchId: body.output.batchId,
      massKg: gramsToKg(inputs.reduce((sum, input) => sum + input.consumedGrams, 0)),
    };
    return this.commandBus.execute(new LedgerCommand(blendBatches, command, meta, result));
  }
}
