import { Controller, Get, Param, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { type Credential, type EnvelopedCredential, toProductPassport } from '@tracelode/credentials';
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
@Controller('batches/:batchId/passport')
export class ProductPassportController {
  constructor(
    private readonly views: ChainViews,
    private readonly issuer: CredentialIssuer,
  ) {}

  @Get()
  @ApiOperation({
    summary:
      'The batch as a UNTP Digital Product Passport (v0.6): a W3C VC 2.0 secured with JOSE by the ledger’s did:web (docs/passports.md)',
  })
  @ApiCredentialFormat()
  @ApiMinPosition()
  @ApiOkResponse({ description: 'EnvelopedVerifiableCredential, or with format=json the credential' })
  async passport(
    @Param('batchId', LedgerIdPipe) batchId: string,
    @Query('format') format: string | undefined,
    @Query('minPosition') minPosition: string | undefined,
    @ReaderContext() reader: Reader,
  ): Promise<Credential | EnvelopedCredential> {
    const form = credentialFormatOf(format);
    const views = await this.views.batch(batchId, reader, minPosition);
    const { chain, recycledByOrigin } = await this.views.chain(batchId, reader);
    const evidence = new Map<string, { sha256: string; uri: string }>();
    const certificateIds = new Set<string>();
    for (const scheme of views.certification.schemes) {
      for (const summary of [...scheme.direct, ...scheme.certificates]) {
        if (typeof summary.certificateId !== 'string' || summary.status === 'revoked') continue;
        certificateIds.add(summary.certificateId);
        const certificate = await this.views.certificate(summary.certificateId, reader);
        if (certificate) evidence.set(certificate.certificateId, certificate.evidence);
      }
    }
    const build = (status?: Credential['credentialStatus'], validFrom = '') =>
      toProductPassport({
        publicUrl: this.issuer.publicUrl,
        issuer: this.issuer.issuer,
        id: `urn:uuid:${randomUUID()}`,
        validFrom,
        ...(status && { status }),
        ...views,
        recycledByOrigin,
        evidence,
      });
    const status = this.issuer.statusFor('passport', chain, [...certificateIds], build().credentialSubject);
    const credential = build(status, new Date().toISOString());
    return form === 'json' ? credential : this.issuer.envelope(credential);
  }
}
