import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import {
  type BatchState,
  decideTransformation,
  evolveBatch,
  evolveOrganisation,
  initialBatchState,
  initialOrganisationState,
  toBatchStreamId,
  toOrgStreamId,
} from '@tracelode/domain';
import { CommandExecutor, type DecisionSession } from '../../ledger/command-executor';
import { RecordTransformationCommand } from './record-transformation.command';
import type { TransformationResponse } from './record-transformation.dto';

/** Loads every input and output batch, decides, and appends to all of them in one atomic append. */
@CommandHandler(RecordTransformationCommand)
export class RecordTransformationHandler implements ICommandHandler<RecordTransformationCommand> {
  constructor(private readonly executor: CommandExecutor) {}

  execute({ command, meta }: RecordTransformationCommand): Promise<TransformationResponse> {
    return this.executor.execute(meta, async (session) => {
      const { inputs, outputs, transformationId } = command.data;
      const organisation = await session.load(
        toOrgStreamId(meta.actor.orgId),
        evolveOrganisation,
        initialOrganisationState(),
      );
      const states = {
        inputs: await loadBatches(
          session,
          inputs.map((input) => input.batchId),
        ),
        outputs: await loadBatches(
          session,
          outputs.map((output) => output.batchId),
        ),
      };
      const context = {
        actor: meta.actor,
        recordedAt: meta.recordedAt,
        organisations: new Map([[meta.actor.orgId, organisation]]),
      };
      for (const [batchId, events] of decideTransformation(command, states, context)) {
        session.emit(toBatchStreamId(batchId), events);
      }
      return { transformationId, outputBatchIds: outputs.map((output) => output.batchId) };
    });
  }
}

async function loadBatches(session: DecisionSession, batchIds: string[]): Promise<Map<string, BatchState>> {
  const states = new Map<string, BatchState>();
  for (const batchId of batchIds)
    states.set(batchId, await session.load(toBatchStreamId(batchId), evolveBatch, initialBatchState()));
  return states;
}
