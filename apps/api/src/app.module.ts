import {
  type DynamicModule,
  Inject,
  Module,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { CqrsModule } from '@nestjs/cqrs';
import { type EventStore, openEventStore, SealingEventStore } from '@tracelode/event-store';
import { CheckpointSigner, LogNotary } from '@tracelode/log';
import { LEDGER_PROJECTIONS, Projector } from '@tracelode/projections';
import { ReadModelStore } from '@tracelode/read-models';
import { ApiKeyGuard } from './auth/api-key.guard';
import { AuthService } from './auth/auth.service';
import { SignatureGuard } from './auth/signature.guard';
import { BatchCommandHandler } from './batches/batch-command';
import { BatchCarbonController } from './batches/batch-carbon/batch-carbon.controller';
import { BatchFootprintController } from './batches/batch-footprint/batch-footprint.controller';
import { BatchProvenanceController } from './batches/batch-provenance/batch-provenance.controller';
import { BatchViewsController } from './batches/batch-views/batch-views.controller';
import { HoldBatchController } from './batches/hold-batch/hold-batch.controller';
import { ReceiveBatchController } from './batches/receive-batch/receive-batch.controller';
import { RecordAssayController } from './batches/record-assay/record-assay.controller';
import { RecordMinedBatchController } from './batches/record-mined-batch/record-mined-batch.controller';
import { ShipBatchController } from './batches/ship-batch/ship-batch.controller';
import { BatchCertificationController } from './certificates/batch-certification/batch-certification.controller';
import { CertificateCommandHandler } from './certificates/certificate-command';
import { CertificateViewsController } from './certificates/certificate-views/certificate-views.controller';
import { ChangeCertificateController } from './certificates/change-certificate/change-certificate.controller';
import { IssueCertificateController } from './certificates/issue-certificate/issue-certificate.controller';
import { ExportBatchController } from './exports/export-batch/export-batch.controller';
import { ExportBatchHandler } from './exports/export-batch/export-batch.handler';
import { ExportViewsController } from './exports/export-views/export-views.controller';
import { LogController } from './log/log.controller';
import { AuditBundleController } from './log/audit-bundle.controller';
import { HoldImpactController } from './holds/hold-impact/hold-impact.controller';
import { ChangeLicenceController } from './licences/change-licence/change-licence.controller';
import { GrantLicenceController } from './licences/grant-licence/grant-licence.controller';
import { LicenceCommandHandler } from './licences/licence-command';
import { LicenceViewsController } from './licences/licence-views/licence-views.controller';
import type { LedgerConfig } from './config/ledger-config';
import { HealthController } from './health/health.controller';
import { CommandExecutor } from './ledger/command-executor';
import { EVENT_STORE, LEDGER_CONFIG } from './ledger/ledger.tokens';
import { BatchViewSource } from './ledger/batch-view-source';
import { ViewsReady } from './ledger/views-ready';
import { RegisterFacilityController } from './orgs/register-facility/register-facility.controller';
import { RegisterFacilityHandler } from './orgs/register-facility/register-facility.handler';
import { RegisterOrganisationController } from './orgs/register-organisation/register-organisation.controller';
import { RegisterOrganisationHandler } from './orgs/register-organisation/register-organisation.handler';
import { RegisterSigningKeyController } from './orgs/register-signing-key/register-signing-key.controller';
import { RegisterSigningKeyHandler } from './orgs/register-signing-key/register-signing-key.handler';
import { RevokeSigningKeyController } from './orgs/revoke-signing-key/revoke-signing-key.controller';
import { RevokeSigningKeyHandler } from './orgs/revoke-signing-key/revoke-signing-key.handler';
import { RecordTransformationController } from './transformations/record-transformation/record-transformation.controller';
import { RecordTransformationHandler } from './transformations/record-transformation/record-transformation.handler';

/**
 * Starts the projector and the notary once the app is up; on shutdown closes them, then the store and the
 * views, in that order.
 */
class LedgerLifecycle implements OnApplicationBootstrap, OnApplicationShutdown {
  constructor(
    private readonly projector: Projector,
    private readonly notary: LogNotary,
    private readonly views: ReadModelStore,
    @Inject(EVENT_STORE) private readonly store: EventStore,
  ) {}

  onApplicationBootstrap(): void {
    this.projector.start();
    this.notary.start();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.projector.stop();
    await this.notary.stop();
    await this.store.close();
    this.views.close();
  }
}

@Module({})
export class AppModule {
  static forRoot(config: LedgerConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [CqrsModule.forRoot()],
      controllers: [
        HealthController,
        RegisterOrganisationController,
        RegisterFacilityController,
        RegisterSigningKeyController,
        RevokeSigningKeyController,
        RecordMinedBatchController,
        RecordAssayController,
        ShipBatchController,
        ReceiveBatchController,
        HoldBatchController,
        BatchViewsController,
        BatchProvenanceController,
        BatchCarbonController,
        BatchFootprintController,
        RecordTransformationController,
        GrantLicenceController,
        ChangeLicenceController,
        LicenceViewsController,
        ExportBatchController,
        ExportViewsController,
        IssueCertificateController,
        ChangeCertificateController,
        CertificateViewsController,
        BatchCertificationController,
        HoldImpactController,
        LogController,
        AuditBundleController,
      ],
      providers: [
        { provide: LEDGER_CONFIG, useValue: config },
        {
          // Every event is sealed into its stream's hash chain on the way in (ADR 0012).
          provide: EVENT_STORE,
          useFactory: async () => new SealingEventStore(await openEventStore(config.storeUrl)),
        },
        { provide: ReadModelStore, useFactory: () => ReadModelStore.open(config.viewsPath) },
        {
          provide: Projector,
          inject: [EVENT_STORE, ReadModelStore],
          useFactory: (store: EventStore, views: ReadModelStore) =>
            new Projector(store, views, LEDGER_PROJECTIONS),
        },
        {
          provide: LogNotary,
          inject: [EVENT_STORE],
          useFactory: (store: EventStore) =>
            LogNotary.open(
              store,
              config.integrityPath,
              config.signingKeyPath
                ? CheckpointSigner.fromFile(config.signingKeyPath)
                : CheckpointSigner.ephemeral(),
              { everyEvents: config.checkpointEveryEvents, everyMs: config.checkpointEveryMs },
            ),
        },
        {
          provide: LedgerLifecycle,
          inject: [Projector, LogNotary, ReadModelStore, EVENT_STORE],
          useFactory: (p: Projector, n: LogNotary, v: ReadModelStore, s: EventStore) =>
            new LedgerLifecycle(p, n, v, s),
        },
        // In this order: the signature check needs the actor the API key names.
        { provide: APP_GUARD, useClass: ApiKeyGuard },
        { provide: APP_GUARD, useClass: SignatureGuard },
        AuthService,
        CommandExecutor,
        ViewsReady,
        BatchViewSource,
        RegisterOrganisationHandler,
        RegisterFacilityHandler,
        RegisterSigningKeyHandler,
        RevokeSigningKeyHandler,
        BatchCommandHandler,
        RecordTransformationHandler,
        LicenceCommandHandler,
        ExportBatchHandler,
        CertificateCommandHandler,
      ],
    };
  }
}
