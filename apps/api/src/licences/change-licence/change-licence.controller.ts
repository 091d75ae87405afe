import { Body, Controller, HttpCode, Param, Post } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiCreatedResponse, ApiHeader, ApiOperation, ApiTags } from '@nestjs/swagger';
import {
  amendLicence,
  type Decider,
  kgToGrams,
  type LicenceStatus,
  type LicenceTerms,
  type ReinstateLicence,
  reinstateLicence,
  type RevokeLicence,
  revokeLicence,
  type SuspendLicence,
  suspendLicence,
} from '@tracelode/domain';
import { CommandContext } from '../../auth/request-context.decorators';
import { LedgerIdPipe } from '../../common/ledger-id.pipe';
import type { CommandMeta } from '../../ledger/command-meta';
import { LicenceResponse } from '../grant-licence/grant-licence.dto';
import { LedgerCommand } from '../../ledger/command-executor';
import { AmendLicenceDto, LicenceChangeDto } from './change-licence.dto';

type StatusCommand = SuspendLicence | ReinstateLicence | RevokeLicence;

@ApiTags('licences')
@ApiBearerAuth()
@ApiHeader({ name: 'Idempotency-Key', required: false })
@Controller('licences/:licenceId')
export class ChangeLicenceController {
  constructor(private readonly commandBus: CommandBus) {}

  @Post('amendments')
  @HttpCode(201)
  @ApiOperation({ summary: 'Amend a licence’s terms (regulator); the cap cannot go below what is drawn' })
  @ApiCreatedResponse({ type: LicenceResponse })
  amend(
    @Param('licenceId', LedgerIdPipe) licenceId: string,
    @Body() body: AmendLicenceDto,
    @CommandContext('AmendLicence') meta: CommandMeta,
  ): Promise<LicenceResponse> {
    const { quantityKg, items, destinations, endUsers, validFrom, validUntil } = body.changes;
    const changes: Partial<LicenceTerms> = {
      ...(items
        ? {
            items: items.map((item) => ({
              form: item.form,
              elements: [...item.elements],
              ...(item.hsCode ? { hsCode: item.hsCode } : {}),
            })),
          }
        : {}),
      ...(destinations ? { destinations: [...destinations] } : {}),
      ...(endUsers ? { endUsers: [...endUsers] } : {}),
      ...(quantityKg !== undefined ? { quantityGrams: kgToGrams(quantityKg) } : {}),
      ...(validFrom ? { validFrom } : {}),
      ...(validUntil ? { validUntil } : {}),
    };
    const data = { licenceId, changes, reason: body.reason, occurredAt: body.occurredAt };
    return this.commandBus.execute(
      new LedgerCommand(amendLicence, { type: 'AmendLicence', data }, meta, { licenceId }),
    );
  }

  @Post('suspensions')
  @HttpCode(201)
  @ApiOperation({ summary: 'Suspend a licence: nothing may be exported under it until reinstated' })
  @ApiCreatedResponse({ type: LicenceResponse })
  suspend(
    @Param('licenceId', LedgerIdPipe) licenceId: string,
    @Body() body: LicenceChangeDto,
    @CommandContext('SuspendLicence') meta: CommandMeta,
  ): Promise<LicenceResponse> {
    return this.change(suspendLicence, 'SuspendLicence', 'suspended', licenceId, body, meta);
  }

  @Post('reinstatements')
  @HttpCode(201)
  @ApiOperation({ summary: 'Reinstate a suspended licence' })
  @ApiCreatedResponse({ type: LicenceResponse })
  reinstate(
    @Param('licenceId', LedgerIdPipe) licenceId: string,
    @Body() body: LicenceChangeDto,
    @CommandContext('ReinstateLicence') meta: CommandMeta,
  ): Promise<LicenceResponse> {
    return this.change(reinstateLicence, 'ReinstateLicence', 'active', licenceId, body, meta);
  }

  @Post('revocations')
  @HttpCode(201)
  @ApiOperation({ summary: 'Revoke a licence (final)' })
  @ApiCreatedResponse({ type: LicenceResponse })
  revoke(
    @Param('licenceId', LedgerIdPipe) licenceId: string,
    @Body() body: LicenceChangeDto,
    @CommandContext('RevokeLicence') meta: CommandMeta,
  ): Promise<LicenceResponse> {
    return this.change(revokeLicence, 'RevokeLicence', 'revoked', licenceId, body, meta);
  }

  private change<Command extends StatusCommand>(
    decider: Decider<Command>,
    type: Command['type'],
    status: LicenceStatus,
    licenceId: string,
    body: LicenceChangeDto,
    meta: CommandMeta,
  ): Promise<LicenceResponse> {
    const data = { licenceId, reason: body.reason, occurredAt: body.occurredAt };
    return this.commandBus.execute(
      new LedgerCommand(decider, { type, data } as Command, meta, { licenceId, status }),
    );
  }
}
