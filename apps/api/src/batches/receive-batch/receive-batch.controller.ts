import { Body, Controller, HttpCode, Param, Post } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiCreatedResponse, ApiHeader, ApiOperation, ApiTags } from '@nestjs/swagger';
import { kgToGrams } from '@tracelode/domain';
import { CommandContext } from '../../auth/request-context.decorators';
import { LedgerIdPipe } from '../../common/ledger-id.pipe';
import type { CommandMeta } from '../../ledger/command-meta';
import { LedgerCommand } from '../../ledger/command-executor';
import { receiveBatch } from '@tracelode/domain';
import { ShipmentResponse } from '../ship-batch/ship-batch.dto';
import { ReceiveBatchDto } from './receive-batch.dto';

@ApiTags('batches')
@ApiBearerAuth()
@ApiHeader({ name: 'Idempotency-Key', required: false })
@Controller('batches/:batchId/receipts')
export class ReceiveBatchController {
  constructor(private readonly commandBus: CommandBus) {}

  @Post()
  @HttpCode(201)
  @ApiOperation({ summary: 'Receive a shipment addressed to your organisation' })
  @ApiCreatedResponse({ type: ShipmentResponse })
  receive(
    @Param('batchId', LedgerIdPipe) batchId: string,
    @Body() body: ReceiveBatchDto,
    @CommandContext('ReceiveBatch') meta: CommandMeta,
  ): Promise<ShipmentResponse> {
    const data = {
      batchId,
      shipmentId: body.shipmentId,
      receivedMassGrams: kgToGrams(body.receivedMassKg),
      occurredAt: body.occurredAt,
    };
    return this.commandBus.execute(
      new LedgerCommand(receiveBatch, { type: 'ReceiveBatch', data }, meta, {
        batchId,
        shipmentId: body.shipmentId,
      }),
    );
  }
}
