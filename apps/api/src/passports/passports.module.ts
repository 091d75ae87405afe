import { Module } from '@nestjs/common';
import { ChainViews } from './chain-views';
import { CredentialIssuer } from './credential-issuer';
import { DidDocumentController } from './did-document/did-document.controller';
import { ProductPassportController } from './product-passport/product-passport.controller';
import { StatusListController } from './status-list/status-list.controller';
import { TraceabilityEventsController } from './traceability-events/traceability-events.controller';

/** Product passports and traceability events as verifiable credentials (ADR 0032, docs/passports.md). */
@Module({
  controllers: [
    ProductPassportController,
    TraceabilityEventsController,
    DidDocumentController,
    StatusListController,
  ],
  providers: [ChainViews, CredentialIssuer],
})
export class PassportsModule {}
