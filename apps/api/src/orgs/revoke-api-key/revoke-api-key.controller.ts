import { Body, Controller, HttpCode, Param, Post } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiCreatedResponse, ApiHeader, ApiOperation, ApiTags } from '@nestjs/swagger';
import { revokeApiKey } from '@tracelode/domain';
import { CommandContext } from '../../auth/request-context.decorators';
import { LedgerIdPipe } from '../../common/ledger-id.pipe';
import { LedgerCommand } from '../../ledger/command-executor';
import type { CommandMeta } from '../../ledger/command-meta';
import { RevokeApiKeyDto, RevokeApiKeyResponse } from './revoke-api-key.dto';

@ApiTags('organisations')
@ApiBearerAuth()
@ApiHeader({ name: 'Idempotency-Key', required: false })
@Controller('orgs/:orgId/api-keys/:keyId')
export class RevokeApiKeyController {
  constructor(private readonly commandBus: CommandBus) {}

  @Post('revoke')
  @HttpCode(201)
  @ApiOperation({
    summary: 'Revoke an API key: it is refused from the next request on, by every replica',
    description:
      'An organisation cannot revoke its last active key (409 API_KEY_LAST_ACTIVE): issue a new one first. ' +
      'The operator can; the organisation then has no key until the operator issues it one.',
  })
  @ApiCreatedResponse({ type: RevokeApiKeyResponse })
  revoke(
    @Param('orgId', LedgerIdPipe) orgId: string,
    @Param('keyId', LedgerIdPipe) keyId: string,
    @Body() body: RevokeApiKeyDto,
    @CommandContext('RevokeApiKey') meta: CommandMeta,
  ): Promise<RevokeApiKeyResponse> {
    const data = {
      orgId,
      keyId,
      revokedAt: meta.recordedAt,
      ...(body.reason !== undefined ? { reason: body.reason } : {}),
    };
    return this.commandBus.execute(
      new LedgerCommand(revokeApiKey, { type: 'RevokeApiKey', data }, meta, { orgId, keyId }),
    );
  }
}
