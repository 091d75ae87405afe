import { Body, Controller, HttpCode, Param, Post } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiCreatedResponse, ApiHeader, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CommandContext } from '../../auth/request-context.decorators';
import { LedgerIdPipe, SigningKeyIdPipe } from '../../common/ledger-id.pipe';
import type { CommandMeta } from '../../ledger/command-meta';
import { revokeSigningKey } from '@tracelode/domain';
import { LedgerCommand } from '../../ledger/command-executor';
import { RevokeSigningKeyDto, RevokeSigningKeyResponse } from './revoke-signing-key.dto';

@ApiTags('organisations')
@ApiBearerAuth()
@ApiHeader({ name: 'Idempotency-Key', required: false })
@Controller('orgs/:orgId/keys/:keyId')
export class RevokeSigningKeyController {
  constructor(private readonly commandBus: CommandBus) {}

  @Post('revoke')
  @HttpCode(201)
  @ApiOperation({
    summary: 'Revoke a signing key: signatures by it are refused from now on',
    description:
      'Signing stays required even when no active key is left; an admin can then register a new key.',
  })
  @ApiCreatedResponse({ type: RevokeSigningKeyResponse })
  revoke(
    @Param('orgId', LedgerIdPipe) orgId: string,
    @Param('keyId', SigningKeyIdPipe) keyId: string,
    @Body() body: RevokeSigningKeyDto,
    @CommandContext('RevokeSigningKey') meta: CommandMeta,
  ): Promise<RevokeSigningKeyResponse> {
    const data = {
      orgId,
      keyId,
      revokedAt: meta.recordedAt,
      ...(body.reason !== undefined ? { reason: body.reason } : {}),
    };
    return this.commandBus.execute(
      new LedgerCommand(revokeSigningKey, { type: 'RevokeSigningKey', data }, meta, { orgId, keyId }),
    );
  }
}
