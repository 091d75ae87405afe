import { Body, Controller, HttpCode, Param, Post } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiCreatedResponse, ApiHeader, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CommandContext } from '../../auth/request-context.decorators';
import { LedgerIdPipe } from '../../common/ledger-id.pipe';
import type { CommandMeta } from '../../ledger/command-meta';
import { LedgerCommand } from '../../ledger/command-executor';
import { assayBatch } from '@tracelode/domain';
import { BatchCommandResponse } from '../record-mined-batch/record-mined-batch.dto';
import { RecordAssayDto } from './record-assay.dto';

@ApiTags('batches')
@ApiBearerAuth()
@ApiHeader({ name: 'Idempotency-Key', required: false })
@Controller('batches/:batchId/assays')
export class RecordAssayController {
  constructor(private readonly commandBus: CommandBus) {}

  @Post()
  @HttpCode(201)
  @ApiOperation({ summary: 'Record an assay of a batch (its custodian or a certifier)' })
  @ApiCreatedResponse({ type: BatchCommandResponse })
  record(
    @Param('batchId', LedgerIdPipe) batchId: string,
    @Body() body: RecordAssayDto,
    @CommandContext('AssayBatch') meta: CommandMeta,
  ): Promise<BatchCommandResponse> {
    const data = { batchId, ...body, grade: { ...body.grade } };
    return this.commandBus.execute(
      new LedgerCommand(assayBatch, { type: 'AssayBatch', data }, meta, { batchId, assayId: body.assayId }),
    );
  }
}
