import { Body, Controller, HttpCode, Param, Post } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiCreatedResponse, ApiHeader, ApiOperation, ApiTags } from '@nestjs/swagger';
import { assignGln } from '@tracelode/domain';
import { CommandContext } from '../../auth/request-context.decorators';
import { LedgerIdPipe } from '../../common/ledger-id.pipe';
import type { CommandMeta } from '../../ledger/command-meta';
import { LedgerCommand } from '../../ledger/command-executor';
import { AssignGlnDto, AssignGlnResponse } from './assign-gln.dto';

/**
 * Gives a GS1 GLN to an organisation or a facility registered without one, by the operator only (it checks
 * GS1's registry first); once given it is not changed (ADR 0031). EPCIS names it by its Digital Link.
 */
@ApiTags('organisations')
@ApiBearerAuth()
@ApiHeader({ name: 'Idempotency-Key', required: false })
@Controller('orgs/:orgId')
export class AssignGlnController {
  constructor(private readonly commandBus: CommandBus) {}

  @Post('gln')
  @HttpCode(201)
  @ApiOperation({ summary: 'Give an organisation its GS1 GLN (admin), once' })
  @ApiCreatedResponse({ type: AssignGlnResponse })
  organisation(
    @Param('orgId', LedgerIdPipe) orgId: string,
    @Body() body: AssignGlnDto,
    @CommandContext('AssignGln') meta: CommandMeta,
  ): Promise<AssignGlnResponse> {
    return this.assign(meta, orgId, undefined, body.gln);
  }

  @Post('facilities/:facilityId/gln')
  @HttpCode(201)
  @ApiOperation({ summary: 'Give a facility its GS1 GLN (admin), once' })
  @ApiCreatedResponse({ type: AssignGlnResponse })
  facility(
    @Param('orgId', LedgerIdPipe) orgId: string,
    @Param('facilityId', LedgerIdPipe) facilityId: string,
    @Body() body: AssignGlnDto,
    @CommandContext('AssignGln') meta: CommandMeta,
  ): Promise<AssignGlnResponse> {
    return this.assign(meta, orgId, facilityId, body.gln);
  }

  private assign(
    meta: CommandMeta,
    orgId: string,
    facilityId: string | undefined,
    gln: string,
  ): Promise<AssignGlnResponse> {
    const data = { orgId, ...(facilityId !== undefined ? { facilityId } : {}), gln };
    return this.commandBus.execute(new LedgerCommand(assignGln, { type: 'AssignGln', data }, meta, data));
  }
}
