import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import {
  decideOrganisation,
  evolveOrganisation,
  initialOrganisationState,
  toOrgStreamId,
} from '@tracelode/domain';
import { CommandExecutor } from '../../ledger/command-executor';
import { RevokeSigningKeyCommand } from './revoke-signing-key.command';
import type { RevokeSigningKeyResponse } from './revoke-signing-key.dto';

@CommandHandler(RevokeSigningKeyCommand)
export class RevokeSigningKeyHandler implements ICommandHandler<RevokeSigningKeyCommand> {
  constructor(private readonly executor: CommandExecutor) {}

  execute({ orgId, keyId, payload, meta }: RevokeSigningKeyCommand): Promise<RevokeSigningKeyResponse> {
    return this.executor.execute(meta, async (session) => {
      const stream = toOrgStreamId(orgId);
      const state = await session.load(stream, evolveOrganisation, initialOrganisationState());
      const data = {
        orgId,
        keyId,
        revokedAt: meta.recordedAt,
        ...(payload.reason !== undefined ? { reason: payload.reason } : {}),
      };
      session.emit(stream, decideOrganisation({ type: 'RevokeSigningKey', data }, state, meta.actor));
      return { orgId, keyId };
    });
  }
}
