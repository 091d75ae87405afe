import { Module } from '@nestjs/common';
import { HoldImpactController } from './hold-impact/hold-impact.controller';

@Module({
  controllers: [HoldImpactController],
})
export class HoldsModule {}
