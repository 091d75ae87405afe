import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiCreatedResponse, ApiHeader, ApiOperation, ApiTags } from '@nestjs/swagger';
import { type GrantLicence, grantLicence, kgToGrams } from '@tracelode/domain';
import { CommandContext } from '../../auth/request-context.decorators';
import type { CommandMeta } from '../../ledger/command-meta';
import { LedgerCommand } from '../../ledger/command-executor';
import { GrantLicenceDto, LicenceResponse } from './grant-licence.dto';

@ApiTags('licences')
@ApiBearerAuth()
@ApiHeader({ name: 'Idempotency-Key', required: false })
@Controller('licences')
export class GrantLicenceController {
  constructor(private readonly commandBus: CommandBus) {}

  @Post()
  @HttpCode(201)
  @ApiOperation({ summary: 'Grant an export licence (regulator)' })
  @ApiCreatedResponse({ type: LicenceResponse })
  grant(
    @Body() body: GrantLicenceDto,
    @CommandContext('GrantLicence') meta: CommandMeta,
  ): Promise<LicenceResponse> {
    const command: GrantLicence = {
      type: 'GrantLicence',
      data: {
        licenceId: body.licenceId,
        holderOrgId: body.holderOrgId,
        type: body.type,
        items: body.items.map((item) => ({
          form: item.form,
          elements: [...item.elements],
          ...(item.hsCode ? { hsCode: item.hsCode } : {}),
        })),
        destinations: [...body.destinations],
        ...(body.endUsers ? { endUsers: [...body.endUsers] } : {}),
        quantityGrams: kgToGrams(body.quantityKg),
        validFrom: body.validFrom,
        validUntil: body.validUntil,
        occurredAt: body.occurredAt ?? meta.recordedAt,
      },
    };
    return this.commandBus.execute(
      new LedgerCommand(grantLicence, command, meta, { licenceId: body.licenceId, status: 'active' }),
    );
  }
}
