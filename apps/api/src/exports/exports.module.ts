import { Module } from '@nestjs/common';
import { ExportBatchController } from './export-batch/export-batch.controller';
import { ExportViewsController } from './export-views/export-views.controller';

@Module({
  controllers: [ExportBatchController, ExportViewsController],
})
export class ExportsModule {}
