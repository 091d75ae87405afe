import { Body, Controller, HttpCode, Param, Post } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiCreatedResponse, ApiHeader, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CommandContext } from '../../auth/request-context.decorators';
import { LedgerIdPipe } from '../../common/ledger-id.pipe';
import type { CommandMeta } from '../../ledger/command-meta';
import { RegisterFacilityCommand } from './register-facility.command';
import { RegisterFacilityDto, RegisterFacilityResponse } from './register-facility.dto';

@ApiTags('organisations')
@ApiBearerAuth()
@ApiHeader({ name: 'Idempotency-Key', required: false })
@Controller('orgs/:orgId/facilities')
export class RegisterFacilityController {
  constructor(private readonly commandBus: CommandBus) {}

  @Post()
  @HttpCode(201)
  @ApiOperation({ summary: 'Register a facility (mine, plant, warehouse, port) of your organisation' })
  @ApiCreatedResponse({ type: RegisterFacilityResponse })
  register(
    @Param('orgId', LedgerIdPipe) orgId: string,
    @Body() body: RegisterFacilityDto,
    @CommandContext('RegisterFacility') meta: CommandMeta,
  ): Promise<RegisterFacilityResponse> {
    return this.commandBus.execute(new RegisterFacilityCommand(orgId, body, meta));
  }
}
