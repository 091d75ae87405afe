import { Module } from '@nestjs/common';
import { CorrectEventController } from './correct-event/correct-event.controller';
import { VoidEventController } from './void-event/void-event.controller';

@Module({
  controllers: [CorrectEventController, VoidEventController],
})
export class CorrectionsModule {}
