import { Command } from '@nestjs/cqrs';
import type { TransformBatches } from '@tracelode/domain';
import type { CommandMeta } from '../../ledger/command-meta';
import type { TransformationResponse } from './record-transformation.dto';

export class RecordTransformationCommand extends Command<TransformationResponse> {
  constructor(
    readonly command: TransformBatches,
    readonly meta: CommandMeta,
  ) {
    super();
  }
}
