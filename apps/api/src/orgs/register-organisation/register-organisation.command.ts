import { Command } from '@nestjs/cqrs';
import type { CommandMeta } from '../../ledger/command-meta';
import type { RegisterOrganisationDto, RegisterOrganisationResponse } from './register-organisation.dto';

export class RegisterOrganisationCommand extends Command<RegisterOrganisationResponse> {
  constructor(
    readonly payload: RegisterOrganisationDto,
    readonly meta: CommandMeta,
  ) {
    super();
  }
}
