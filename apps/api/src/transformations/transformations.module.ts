import { Module } from '@nestjs/common';
import { BlendBatchesController } from './blend-batches/blend-batches.controller';
import { RecordTransformationController } from './record-transformation/record-transformation.controller';

@Module({
  controllers: [RecordTransformationController, BlendBatchesController],
})
export class TransformationsModule {}
