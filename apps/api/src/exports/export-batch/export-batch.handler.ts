import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import {
  decideExport,
  evolveBatch,
  evolveLicence,
  initialBatchState,
  initialLicenceState,
  toBatchStreamId,
  toLicenceStreamId,
} from '@tracelode/domain';
import { CommandExecutor } from '../../ledger/command-executor';
import { ExportBatchCommand } from './export-batch.command';
import type { ExportResponse } from './export-batch.dto';

/** Loads the batch and the licence, decides, and appends to both in one atomic append. */
@CommandHandler(ExportBatchCommand)
export class ExportBatchHandler implements ICommandHandler<ExportBatchCommand> {
  constructor(private readonly executor: CommandExecutor) {}

  execute({ command, meta }: ExportBatchCommand): Promise<ExportResponse> {
    return this.executor.execute(meta, async (session) => {
      const { batchId, licenceId, exportId } = command.data;
      const batchStream = toBatchStreamId(batchId);
      const licenceStream = toLicenceStreamId(licenceId);
      const batch = await session.load(batchStream, evolveBatch, initialBatchState());
      const licence = await session.load(licenceStream, evolveLicence, initialLicenceState());
      const events = decideExport(command, batch, licence, {
        actor: meta.actor,
        recordedAt: meta.recordedAt,
      });
      session.emit(batchStream, events.batch);
      session.emit(licenceStream, events.licence);
      return { batchId, exportId, licenceId };
    });
  }
}
