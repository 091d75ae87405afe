import { Command } from '@nestjs/cqrs';
import type { ExportBatch } from '@tracelode/domain';
import type { CommandMeta } from '../../ledger/command-meta';
import type { ExportResponse } from './export-batch.dto';

export class ExportBatchCommand extends Command<ExportResponse> {
  constructor(
    readonly command: ExportBatch,
    readonly meta: CommandMeta,
  ) {
    super();
  }
}
