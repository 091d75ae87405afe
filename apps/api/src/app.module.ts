import { type DynamicModule, Module } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import { BatchesModule } from './batches/batches.module';
import { CertificatesModule } from './certificates/certificates.module';
import { CorrectionsModule } from './corrections/corrections.module';
import type { LedgerConfig } from './config/ledger-config';
import { EpcisModule } from './epcis/epcis.module';
import { ExportsModule } from './exports/exports.module';
import { HealthController } from './health/health.controller';
import { HoldsModule } from './holds/holds.module';
import { LedgerModule } from './ledger/ledger.module';
import { HttpDrain } from './lifecycle/http-drain';
import { LicencesModule } from './licences/licences.module';
import { LogModule } from './log/log.module';
import { ObservabilityModule } from './observability/observability.module';
import { OrgsModule } from './orgs/orgs.module';
import { PassportsModule } from './passports/passports.module';
import { TransformationsModule } from './transformations/transformations.module';

/** The ledger API: the shared ledger machinery and one module per context, each listing its routes. */
@Module({})
export class AppModule {
  static forRoot(config: LedgerConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        CqrsModule.forRoot(),
        ObservabilityModule.forRoot(config),
        LedgerModule.forRoot(config),
        OrgsModule,
        BatchesModule,
        TransformationsModule,
        LicencesModule,
        ExportsModule,
        CertificatesModule,
        HoldsModule,
        CorrectionsModule,
        LogModule,
        PassportsModule,
        EpcisModule,
      ],
      controllers: [HealthController],
      // First of the shutdown hooks: no new connections, every request in flight answered (ADR 0028).
      providers: [HttpDrain],
    };
  }
}
