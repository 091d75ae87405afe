import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiCreatedResponse, ApiHeader, ApiOperation, ApiTags } from '@nestjs/swagger';
import { kgToGrams, type TransformBatches, transformBatches } from '@tracelode/domain';
import { CommandContext } from '../../auth/request-context.decorators';
import type { CommandMeta } from '../../ledger/command-meta';
import { LedgerCommand } from '../../ledger/command-executor';
import { RecordTransformationDto, TransformationResponse } from './record-transformation.dto';

@ApiTags('transformations')
@ApiBearerAuth()
@ApiHeader({ name: 'Idempotency-Key', required: false })
@Controller('transformations')
export class RecordTransformationController {
  constructor(private readonly commandBus: CommandBus) {}

  @Post()
  @HttpCode(201)
  @ApiOperation({
    summary:
      'Record a transformation (refining, separation, alloying, …): inputs consumed, outputs produced, atomically',
  })
  @ApiCreatedResponse({ type: TransformationResponse })
  record(
    @Body() body: RecordTransformationDto,
    @CommandContext('TransformBatches') meta: CommandMeta,
  ): Promise<TransformationResponse> {
    const allocation: TransformBatches['data']['allocation'] =
      body.allocation?.method === 'economic'
        ? { method: 'economic', keys: { ...(body.allocation.keys ?? {}) } }
        : { method: 'mass' };
    const command: TransformBatches = {
      type: 'TransformBatches',
      data: {
        transformationId: body.transformationId,
        facilityId: body.facilityId,
        process: body.process,
        occurredAt: body.occurredAt,
        inputs: body.inputs.map((input) => ({
          batchId: input.batchId,
          consumedGrams: kgToGrams(input.consumedKg),
        })),
        outputs: body.outputs.map((output) => ({
          batchId: output.batchId,
          material: { ...output.material },
          massGrams: kgToGrams(output.massKg),
          ...(output.grade ? { grade: { ...output.grade } } : {}),
        })),
        residues: (body.residues ?? []).map((residue) => ({
          kind: residue.kind,
          massGrams: kgToGrams(residue.massKg),
        })),
        processEmissionsKgCo2e: body.processEmissionsKgCo2e,
        allocation,
      },
    };
    const result = {
      transformationId: body.transformationId,
      outputBatchIds: body.outputs.map((o) => o.batchId),
    };
    return this.commandBus.execute(new LedgerCommand(transformBatches, command, meta, result));
  }
}
