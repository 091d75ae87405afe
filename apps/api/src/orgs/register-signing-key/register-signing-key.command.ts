import { Command } from '@nestjs/cqrs';
import type { CommandMeta } from '../../ledger/command-meta';
import type { RegisterSigningKeyDto, RegisterSigningKeyResponse } from './register-signing-key.dto';

export class RegisterSigningKeyCommand extends Command<RegisterSigningKeyResponse> {
  constructor(
    readonly orgId: string,
    readonly payload: RegisterSigningKeyDto,
    readonly meta: CommandMeta,
  ) {
    super();
  }
}
