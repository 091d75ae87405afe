import { Body, Controller, HttpCode, Param, Post } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiCreatedResponse, ApiHeader, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CommandContext } from '../../auth/request-context.decorators';
import { LedgerIdPipe } from '../../common/ledger-id.pipe';
import type { CommandMeta } from '../../ledger/command-meta';
import { registerFacility } from '@tracelode/domain';
import { LedgerCommand } from '../../ledger/command-executor';
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
    const { lat, lon, ...facility } = body;
    const data = {
      orgId,
      ...facility,
      ...(lat !== undefined ? { lat } : {}),
      ...(lon !== undefined ? { lon } : {}),
    };
    return this.commandBus.execute(
      new LedgerCommand(registerFacility, { type: 'RegisterFacility', data }, meta, {
        orgId,
        facilityId: body.facilityId,
      }),
    );
  }
}
