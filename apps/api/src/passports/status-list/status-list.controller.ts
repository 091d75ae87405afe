import { Controller, Get, Query } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Credential, EnvelopedCredential } from '@tracelode/credentials';
import { Public } from '../../auth/api-key.guard';
import { ApiCredentialFormat, credentialFormatOf } from '../credential-format';
import { CredentialIssuer, STATUS_LIST_PATH } from '../credential-issuer';

/** The Bitstring Status List of every credential the ledger issued, readable by anyone (bits only). */
@ApiTags('passports')
@Public()
@Controller(STATUS_LIST_PATH.slice(1))
export class StatusListController {
  constructor(private readonly issuer: CredentialIssuer) {}

  @Get()
  @ApiOperation({
    summary:
      'BitstringStatusListCredential (revocation) of passports and traceability-event credentials: a bit set once its lot was held, a certificate it rested on revoked, or an event it was built from corrected or voided',
  })
  @ApiCredentialFormat()
  async list(@Query('format') format: string | undefined): Promise<Credential | EnvelopedCredential> {
    const form = credentialFormatOf(format);
    const credential = this.issuer.statusList();
    return form === 'json' ? credential : this.issuer.envelope(credential);
  }
}
