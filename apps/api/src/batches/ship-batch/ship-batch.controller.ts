import { Body, Controller, HttpCode, Param, Post } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiCreatedResponse, ApiHeader, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CommandContext } from '../../auth/request-context.decorators';
import { LedgerIdPipe } from '../../common/ledger-id.pipe';
import type { CommandMeta } from '../../ledger/command-meta';
import { LedgerCommand } from '../../ledger/command-executor';
import { shipBatch } from '@tracelode/domain';
import { ShipBatchDto, ShipmentResponse } from './ship-batch.dto';

@ApiTags('batches')
@ApiBearerAuth()
@ApiHeader({ name: 'Idempotency-Key', required: false })
@Controller('batches/:batchId/shipments')
export class ShipBatchController {
  constructor(private readonly commandBus: CommandBus) {}

  @Post()
  @HttpCode(201)
  @ApiOperation({ summary: 'Ship the whole batch to another facility (its custodian)' })
  @ApiCreatedResponse({ type: ShipmentResponse })
  ship(
    @Param('batchId', LedgerIdPipe) batchId: string,
    @Body() body: ShipBatchDto,
    @CommandContext('ShipBatch') meta: CommandMeta,
  ): Promise<ShipmentResponse> {
    const documents = (body.documents ?? []).map((document) => ({ ...document }));
    const data = { batchId, ...body, documents };
    return this.commandBus.execute(
      new LedgerCommand(shipBatch, { type: 'ShipBatch', data }, meta, {
        batchId,
        shipmentId: body.shipmentId,
      }),
    );
  }
}
