import { Module } from '@nestjs/common';
import { RecordMinedBatchController } from './record-mined-batch/record-mined-batch.controller';
import { RecordAssayController } from './record-assay/record-assay.controller';
import { ShipBatchController } from './ship-batch/ship-batch.controller';
import { SplitBatchController } from './split-batch/split-batch.controller';
import { ReceiveBatchController } from './receive-batch/receive-batch.controller';
import { HoldBatchController } from './hold-batch/hold-batch.controller';
import { BatchListController } from './batch-list/batch-list.controller';
import { BatchViewsController } from './batch-views/batch-views.controller';
import { BatchProvenanceController } from './batch-provenance/batch-provenance.controller';
import { BatchCarbonController } from './batch-carbon/batch-carbon.controller';
import { BatchFootprintController } from './batch-footprint/batch-footprint.controller';
import { DiscloseBatchController } from './disclose-batch/disclose-batch.controller';
import { RevokeDisclosureController } from './revoke-disclosure/revoke-disclosure.controller';

@Module({
  controllers: [
    RecordMinedBatchController,
    RecordAssayController,
    ShipBatchController,
    SplitBatchController,
    ReceiveBatchController,
    HoldBatchController,
    BatchListController,
    BatchViewsController,
    BatchProvenanceController,
    BatchCarbonController,
    BatchFootprintController,
    DiscloseBatchController,
    RevokeDisclosureController,
  ],
})
export class BatchesModule {}
