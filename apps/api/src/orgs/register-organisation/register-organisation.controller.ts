import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiCreatedResponse, ApiHeader, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CommandContext } from '../../auth/request-context.decorators';
import type { CommandMeta } from '../../ledger/command-meta';
import { registerOrganisation } from '@tracelode/domain';
import { newApiKey } from '../../auth/auth.service';
import { LedgerCommand } from '../../ledger/command-executor';
import { RegisterOrganisationDto, RegisterOrganisationResponse } from './register-organisation.dto';

@ApiTags('organisations')
@ApiBearerAuth()
@ApiHeader({ name: 'Idempotency-Key', required: false })
@Controller('orgs')
export class RegisterOrganisationController {
  constructor(private readonly commandBus: CommandBus) {}

  @Post()
  @HttpCode(201)
  @ApiOperation({ summary: 'Register an organisation and issue its API key (admin)' })
  @ApiCreatedResponse({ type: RegisterOrganisationResponse })
  register(
    @Body() body: RegisterOrganisationDto,
    @CommandContext('RegisterOrganisation') meta: CommandMeta,
  ): Promise<RegisterOrganisationResponse> {
    const { keyId, apiKey, keySha256 } = newApiKey(body.orgId);
    const data = { ...body, keyId, keySha256 };
    const result = { orgId: body.orgId, keyId, apiKey };
    return this.commandBus.execute(
      // The key itself is never stored, so a retry cannot be answered with it.
      new LedgerCommand(
        registerOrganisation,
        { type: 'RegisterOrganisation', data },
        meta,
        result,
        ({ apiKey: _secret, ...rest }) => rest,
      ),
    );
  }
}
