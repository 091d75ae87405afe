import { Command, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import {
  type BatchCommand,
  decideBatch,
  evolveBatch,
  evolveOrganisation,
  initialBatchState,
  initialOrganisationState,
  type OrganisationState,
  toBatchStreamId,
  toOrgStreamId,
} from '@tracelode/domain';
import { CommandExecutor } from '../ledger/command-executor';
import type { CommandMeta } from '../ledger/command-meta';

/**
 * A command on one batch stream. Every batch use case decides the same way (the batch's own events plus
 * the organisations it refers to), so they share this one handler; each use case has its own route and DTO.
 */
export class BatchCommandMessage<Result extends Record<string, unknown>> extends Command<
  Result & { position: string }
> {
  constructor(
    readonly command: BatchCommand,
    readonly meta: CommandMeta,
    /** The response, apart from `position`. */
    readonly result: Result,
    /** Organisations whose facilities the decision checks (besides the actor's own). */
    readonly referencedOrgIds: readonly string[] = [],
  ) {
    super();
  }
}

@CommandHandler(BatchCommandMessage)
export class BatchCommandHandler implements ICommandHandler<BatchCommandMessage<Record<string, unknown>>> {
  constructor(private readonly executor: CommandExecutor) {}

  execute({ command, meta, result, referencedOrgIds }: BatchCommandMessage<Record<string, unknown>>) {
    return this.executor.execute(meta, async (session) => {
      const stream = toBatchStreamId(command.data.batchId);
      const state = await session.load(stream, evolveBatch, initialBatchState());
      const organisations = new Map<string, OrganisationState>();
      for (const orgId of new Set([meta.actor.orgId, ...referencedOrgIds])) {
        organisations.set(
          orgId,
          await session.load(toOrgStreamId(orgId), evolveOrganisation, initialOrganisationState()),
        );
      }
      session.emit(
        stream,
        decideBatch(command, state, { actor: meta.actor, recordedAt: meta.recordedAt, organisations }),
      );
      return result;
    });
  }
}
