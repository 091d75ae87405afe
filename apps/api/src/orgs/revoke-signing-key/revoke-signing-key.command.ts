import { Command } from '@nestjs/cqrs';
import type { CommandMeta } from '../../ledger/command-meta';
import type { RevokeSigningKeyDto, RevokeSigningKeyResponse } from './revoke-signing-key.dto';

export class RevokeSigningKeyCommand extends Command<RevokeSigningKeyResponse> {
  constructor(
    readonly orgId: string,
    readonly keyId: string,
    readonly payload: RevokeSigningKeyDto,
    readonly meta: CommandMeta,
  ) {
    super();
  }
}
