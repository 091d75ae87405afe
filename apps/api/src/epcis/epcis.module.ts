import { Module } from '@nestjs/common';
import { BatchEpcisController } from './batch-epcis/batch-epcis.controller';
import { CaptureController } from './capture/capture.controller';
import { QueryEventsController } from './query-events/query-events.controller';

/** GS1 EPCIS 2.0 on its REST binding: export, query and capture (docs/epcis.md, ADR 0031). */
@Module({
  controllers: [BatchEpcisController, QueryEventsController, CaptureController],
})
export class EpcisModule {}
