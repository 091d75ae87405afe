import { Module } from '@nestjs/common';
import { GrantLicenceController } from './grant-licence/grant-licence.controller';
import { ChangeLicenceController } from './change-licence/change-licence.controller';
import { LicenceViewsController } from './licence-views/licence-views.controller';

@Module({
  controllers: [GrantLicenceController, ChangeLicenceController, LicenceViewsController],
})
export class LicencesModule {}
