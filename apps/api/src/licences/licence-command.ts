import { Command, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import {
  decideLicence,
  evolveLicence,
  evolveOrganisation,
  initialLicenceState,
  initialOrganisationState,
  type LicenceCommand,
  toLicenceStreamId,
  toOrgStreamId,
} from '@tracelode/domain';
import { CommandExecutor } from '../ledger/command-executor';
import type { CommandMeta } from '../ledger/command-meta';

/** A regulator's command on one licence stream (grant, amend, suspend, reinstate, revoke). */
export class LicenceCommandMessage<Result extends Record<string, unknown>> extends Command<
  Result & { position: string }
> {
  constructor(
    readonly command: LicenceCommand,
    readonly meta: CommandMeta,
    /** The response, apart from `position`. */
    readonly result: Result,
  ) {
    super();
  }
}

@CommandHandler(LicenceCommandMessage)
export class LicenceCommandHandler implements ICommandHandler<
  LicenceCommandMessage<Record<string, unknown>>
> {
  constructor(private readonly executor: CommandExecutor) {}

  execute({ command, meta, result }: LicenceCommandMessage<Record<string, unknown>>) {
    return this.executor.execute(meta, async (session) => {
      const stream = toLicenceStreamId(command.data.licenceId);
      const state = await session.load(stream, evolveLicence, initialLicenceState());
      const holder =
        command.type === 'GrantLicence'
          ? await session.load(
              toOrgStreamId(command.data.holderOrgId),
              evolveOrganisation,
              initialOrganisationState(),
            )
          : undefined;
      const context = { actor: meta.actor, recordedAt: meta.recordedAt, ...(holder ? { holder } : {}) };
      session.emit(stream, decideLicence(command, state, context));
      return result;
    });
  }
}
