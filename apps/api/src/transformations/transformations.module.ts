import { Module } from '@nestjs/common';
import { RecordTransformationController } from './record-transformation/record-transformation.controller';

@Module({
  controllers: [RecordTransformationController],
})
export class TransformationsModule {}
