import { Controller, Get, Req } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiProperty, ApiTags } from '@nestjs/swagger';
import { OPERATOR_ORG_ID } from '@tracelode/domain';
import type { AuthenticatedRequest } from '../../auth/api-key.guard';
import { ViewSource } from '../../ledger/view-source';

export class WhoamiDto {
  @ApiProperty() orgId!: string;
  @ApiProperty() keyId!: string;
  @ApiProperty() name!: string;
  @ApiProperty({ nullable: true, type: String }) country!: string | null;
  @ApiProperty({ type: [String] }) roles!: string[];
  @ApiProperty({ required: false, description: 'Its GS1 GLN, when given' }) gln?: string;
  @ApiProperty({ type: 'array', items: { type: 'object', additionalProperties: true } })
  facilities!: Record<string, unknown>[];
}

/** Who the API key belongs to: what a client (the explorer's header) shows the signed-in organisation. */
@ApiTags('orgs')
@ApiBearerAuth()
@Controller('whoami')
export class WhoamiController {
  constructor(private readonly source: ViewSource) {}

  @Get()
  @ApiOperation({ summary: 'The organisation, key and roles the API key authenticates as' })
  @ApiOkResponse({ type: WhoamiDto })
  whoami(@Req() request: AuthenticatedRequest): WhoamiDto {
    const actor = request.actor!;
    if (actor.orgId === OPERATOR_ORG_ID && actor.roles.includes('admin')) {
      return {
        orgId: actor.orgId,
        keyId: actor.keyId,
        name: 'Ledger operator',
        country: null,
        roles: ['admin'],
        facilities: [],
      };
    }
    // The organisation's stream as authentication just read it; the views for a key resolved through them.
    const stream = request.organisation?.exists ? request.organisation : undefined;
    const view = stream ? undefined : this.source.organisation(actor.orgId);
    const facilities = stream ? [...stream.facilities.values()] : (view?.facilities ?? []);
    const gln = stream ? stream.gln : view?.gln;
    return {
      orgId: actor.orgId,
      keyId: actor.keyId,
      name: stream?.name ?? view?.name ?? actor.orgId,
      country: stream?.country ?? view?.country ?? null,
      roles: [...actor.roles],
      ...(gln !== undefined ? { gln } : {}),
      facilities: facilities.map((facility) => ({ ...facility })),
    };
  }
}
