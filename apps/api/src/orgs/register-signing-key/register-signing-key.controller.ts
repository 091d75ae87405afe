import { Body, Controller, HttpCode, Param, Post } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiCreatedResponse, ApiHeader, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CommandContext } from '../../auth/request-context.decorators';
import { LedgerIdPipe } from '../../common/ledger-id.pipe';
import type { CommandMeta } from '../../ledger/command-meta';
import { RegisterSigningKeyCommand } from './register-signing-key.command';
import { RegisterSigningKeyDto, RegisterSigningKeyResponse } from './register-signing-key.dto';

@ApiTags('organisations')
@ApiBearerAuth()
@ApiHeader({ name: 'Idempotency-Key', required: false })
@Controller('orgs/:orgId/keys')
export class RegisterSigningKeyController {
  constructor(private readonly commandBus: CommandBus) {}

  @Post()
  @HttpCode(201)
  @ApiOperation({
    summary:
      'Register (or, with `replaces`, rotate to) an Ed25519 key your organisation signs its commands with',
    description:
      'From the first key on, every command of the organisation must be signed (RFC 9421) by an active key, ' +
      'this one included. With `replaces`, the old key is revoked in the same append.',
  })
  @ApiCreatedResponse({ type: RegisterSigningKeyResponse })
  register(
    @Param('orgId', LedgerIdPipe) orgId: string,
    @Body() body: RegisterSigningKeyDto,
    @CommandContext('RegisterSigningKey') meta: CommandMeta,
  ): Promise<RegisterSigningKeyResponse> {
    return this.commandBus.execute(new RegisterSigningKeyCommand(orgId, body, meta));
  }
}
