import { Module } from '@nestjs/common';
import { LogController } from './log.controller';
import { AuditBundleController } from './audit-bundle.controller';

@Module({
  controllers: [LogController, AuditBundleController],
})
export class LogModule {}
