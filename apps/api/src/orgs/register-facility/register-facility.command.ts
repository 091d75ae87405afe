import { Command } from '@nestjs/cqrs';
import type { CommandMeta } from '../../ledger/command-meta';
import type { RegisterFacilityDto, RegisterFacilityResponse } from './register-facility.dto';

export class RegisterFacilityCommand extends Command<RegisterFacilityResponse> {
  constructor(
    readonly orgId: string,
    readonly payload: RegisterFacilityDto,
    readonly meta: CommandMeta,
  ) {
    super();
  }
}
