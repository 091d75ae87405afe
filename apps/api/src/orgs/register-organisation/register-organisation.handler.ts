import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import {
  decideOrganisation,
  evolveOrganisation,
  initialOrganisationState,
  toOrgStreamId,
} from '@tracelode/domain';
import { Projector } from '@tracelode/projections';
import { newApiKey } from '../../auth/auth.service';
import { CommandExecutor } from '../../ledger/command-executor';
import { RegisterOrganisationCommand } from './register-organisation.command';
import type { RegisterOrganisationResponse } from './register-organisation.dto';

@CommandHandler(RegisterOrganisationCommand)
export class RegisterOrganisationHandler implements ICommandHandler<RegisterOrganisationCommand> {
  constructor(
    private readonly executor: CommandExecutor,
    private readonly projector: Projector,
  ) {}

  async execute({ payload, meta }: RegisterOrganisationCommand): Promise<RegisterOrganisationResponse> {
    const result = await this.executor.execute(
      meta,
      async (session) => {
        const stream = toOrgStreamId(payload.orgId);
        const state = await session.load(stream, evolveOrganisation, initialOrganisationState());
        const { keyId, apiKey, keySha256 } = newApiKey();
        const command = { type: 'RegisterOrganisation' as const, data: { ...payload, keyId, keySha256 } };
        session.emit(stream, decideOrganisation(command, state, meta.actor));
        return { orgId: payload.orgId, keyId, apiKey };
      },
      // The key itself is never stored, so a retry cannot be answered with it.
      { replayable: ({ apiKey: _secret, ...rest }) => rest },
    );
    // The new key must work on the very next request, and keys are resolved from the views.
    await this.projector.waitFor(BigInt(result.position), 5000);
    return result;
  }
}
