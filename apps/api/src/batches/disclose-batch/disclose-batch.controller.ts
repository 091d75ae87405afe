import { Body, Controller, HttpCode, Param, Post } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiCreatedResponse, ApiHeader, ApiOperation, ApiTags } from '@nestjs/swagger';
import { discloseBatch } from '@tracelode/domain';
import { CommandContext } from '../../auth/request-context.decorators';
import { LedgerIdPipe } from '../../common/ledger-id.pipe';
import { LedgerCommand } from '../../ledger/command-executor';
import type { CommandMeta } from '../../ledger/command-meta';
import { DiscloseBatchDto, DisclosureResponse } from './disclose-batch.dto';

@ApiTags('batches')
@ApiBearerAuth()
@ApiHeader({ name: 'Idempotency-Key', required: false })
@Controller('batches/:batchId/disclosures')
export class DiscloseBatchController {
  constructor(private readonly commandBus: CommandBus) {}

  @Post()
  @HttpCode(201)
  @ApiOperation({
    summary: 'Disclose your part of the batch to another organisation (docs/visibility.md)',
    description: 'From this event’s position on; a certifier it is disclosed to is engaged on the batch.',
  })
  @ApiCreatedResponse({ type: DisclosureResponse })
  disclose(
    @Param('batchId', LedgerIdPipe) batchId: string,
    @Body() body: DiscloseBatchDto,
    @CommandContext('DiscloseBatch') meta: CommandMeta,
  ): Promise<DisclosureResponse> {
    const data = { batchId, ...body };
    return this.commandBus.execute(
      new LedgerCommand(discloseBatch, { type: 'DiscloseBatch', data }, meta, {
        batchId,
        disclosureId: body.disclosureId,
      }),
    );
  }
}
