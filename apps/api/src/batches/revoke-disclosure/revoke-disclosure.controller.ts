import { Controller, HttpCode, Param, Post } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiCreatedResponse, ApiHeader, ApiOperation, ApiTags } from '@nestjs/swagger';
import { revokeDisclosure } from '@tracelode/domain';
import { CommandContext } from '../../auth/request-context.decorators';
import { LedgerIdPipe } from '../../common/ledger-id.pipe';
import { LedgerCommand } from '../../ledger/command-executor';
import type { CommandMeta } from '../../ledger/command-meta';
import { DisclosureResponse } from '../disclose-batch/disclose-batch.dto';

@ApiTags('batches')
@ApiBearerAuth()
@ApiHeader({ name: 'Idempotency-Key', required: false })
@Controller('batches/:batchId/disclosures/:disclosureId/revocations')
export class RevokeDisclosureController {
  constructor(private readonly commandBus: CommandBus) {}

  @Post()
  @HttpCode(201)
  @ApiOperation({ summary: 'Withdraw a disclosure you granted, from this event’s position on' })
  @ApiCreatedResponse({ type: DisclosureResponse })
  revoke(
    @Param('batchId', LedgerIdPipe) batchId: string,
    @Param('disclosureId', LedgerIdPipe) disclosureId: string,
    @CommandContext('RevokeDisclosure') meta: CommandMeta,
  ): Promise<DisclosureResponse> {
    const data = { batchId, disclosureId };
    return this.commandBus.execute(
      new LedgerCommand(revokeDisclosure, { type: 'RevokeDisclosure', data }, meta, {
        batchId,
        disclosureId,
      }),
    );
  }
}
