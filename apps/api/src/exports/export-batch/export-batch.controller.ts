import { Body, Controller, HttpCode, Param, Post } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiCreatedResponse, ApiHeader, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CommandContext } from '../../auth/request-context.decorators';
import { LedgerIdPipe } from '../../common/ledger-id.pipe';
import type { CommandMeta } from '../../ledger/command-meta';
import { exportBatch } from '@tracelode/domain';
import { LedgerCommand } from '../../ledger/command-executor';
import { ExportBatchDto, ExportResponse } from './export-batch.dto';

@ApiTags('exports')
@ApiBearerAuth()
@ApiHeader({ name: 'Idempotency-Key', required: false })
@Controller('batches/:batchId/exports')
export class ExportBatchController {
  constructor(private readonly commandBus: CommandBus) {}

  @Post()
  @HttpCode(201)
  @ApiOperation({
    summary:
      'Export the whole batch under a licence (custodian and licence holder), drawing the licence down',
  })
  @ApiCreatedResponse({ type: ExportResponse })
  export(
    @Param('batchId', LedgerIdPipe) batchId: string,
    @Body() body: ExportBatchDto,
    @CommandContext('ExportBatch') meta: CommandMeta,
  ): Promise<ExportResponse> {
    const { exportId, licenceId } = body;
    return this.commandBus.execute(
      new LedgerCommand(exportBatch, { type: 'ExportBatch', data: { batchId, ...body } }, meta, {
        batchId,
        exportId,
        licenceId,
      }),
    );
  }
}
