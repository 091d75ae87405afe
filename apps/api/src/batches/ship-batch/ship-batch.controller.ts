import { Body, Controller, HttpCode, Param, Post } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiCreatedResponse, ApiHeader, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CommandContext } from '../../auth/request-context.decorators';
import { LedgerIdPipe } from '../../common/ledger-id.pipe';
import type { CommandMeta } from '../../ledger/command-meta';
import { LedgerCommand } from '../../ledger/command-executor';
import { kgToGrams, shipBatch } from '@tracelode/domain';
import { ShipBatchDto, ShipBatchResponse } from './ship-batch.dto';

@ApiTags('batches')
@ApiBearerAuth()
@ApiHeader({ name: 'Idempotency-Key', required: false })
@Controller('batches/:batchId/shipments')
export class ShipBatchController {
  constructor(private readonly commandBus: CommandBus) {}

  @Post()
  @HttpCode(201)
  @ApiOperation({
    summary:
      'Ship the batch to another facility (its custodian): the whole lot, or massKg split off into shippedBatchId',
  })
  @ApiCreatedResponse({ type: ShipBatchResponse })
  ship(
    @Param('batchId', LedgerIdPipe) batchId: string,
    @Body() body: ShipBatchDto,
    @CommandContext('ShipBatch') meta: CommandMeta,
  ): Promise<ShipBatchResponse> {
    const { massKg, shippedBatchId, ...rest } = body;
    const documents = (body.documents ?? []).map((document) => ({ ...document }));
    const data = {
      batchId,
      ...rest,
      documents,
      ...(massKg !== undefined ? { massGrams: kgToGrams(massKg) } : {}),
      ...(shippedBatchId !== undefined ? { shippedBatchId } : {}),
    };
    return this.commandBus.execute(
      new LedgerCommand(shipBatch, { type: 'ShipBatch', data }, meta, {
        batchId,
        shipmentId: body.shipmentId,
        shippedBatchId: shippedBatchId ?? batchId,
      }),
    );
  }
}
