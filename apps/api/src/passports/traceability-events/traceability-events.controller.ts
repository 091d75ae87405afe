import { Controller, Get, Param, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { type Credential, type EnvelopedCredential, toTraceabilityEvents } from '@tracelode/credentials';
import type { Reader } from '@tracelode/projections';
import { randomUUID } from 'node:crypto';
import { ReaderContext } from '../../auth/request-context.decorators';
import { LedgerIdPipe } from '../../common/ledger-id.pipe';
import { ApiMinPosition } from '../../ledger/views-ready';
import { ChainViews } from '../chain-views';
import { ApiCredentialFormat, credentialFormatOf } from '../credential-format';
import { CredentialIssuer } from '../credential-issuer';

@ApiTags('passports')
@ApiBearerAuth()
@Controller('batches/:batchId/traceability-events')
export class TraceabilityEventsController {
  constructor(
    private readonly views: ChainViews,
    private readonly issuer: CredentialIssuer,
  ) {}

  @Get()
  @ApiOperation({
    summary:
      'The batch’s chain as UNTP Digital Traceability Events (v0.6: object, transaction and transformation events), a W3C VC 2.0 secured with JOSE',
  })
  @ApiCredentialFormat()
  @ApiMinPosition()
  @ApiOkResponse({ description: 'EnvelopedVerifiableCredential, or with format=json the credential' })
  async events(
    @Param('batchId', LedgerIdPipe) batchId: string,
    @Query('format') format: string | undefined,
    @Query('minPosition') minPosition: string | undefined,
    @ReaderContext() reader: Reader,
  ): Promise<Credential | EnvelopedCredential> {
    const form = credentialFormatOf(format);
    // Who may read is decided first, on the batch itself (a stranger's 404 costs one lookup).
    await this.views.batch(batchId, reader, minPosition);
    const { chain } = await this.views.chain(batchId, reader);
    const build = (status?: Credential['credentialStatus'], validFrom = '') =>
      toTraceabilityEvents({
        publicUrl: this.issuer.publicUrl,
        issuer: this.issuer.issuer,
        id: `urn:uuid:${randomUUID()}`,
        validFrom,
        ...(status && { status }),
        chain,
      });
    const status = this.issuer.statusFor('traceability-events', chain, [], build().credentialSubject);
    const credential = build(status, new Date().toISOString());
    return form === 'json' ? credential : this.issuer.envelope(credential);
  }
}
