import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiCreatedResponse, ApiHeader, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CommandContext } from '../../auth/request-context.decorators';
import type { CommandMeta } from '../../ledger/command-meta';
import { RegisterOrganisationCommand } from './register-organisation.command';
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
    return this.commandBus.execute(new RegisterOrganisationCommand(body, meta));
  }
}
