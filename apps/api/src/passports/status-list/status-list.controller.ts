import { Controller, Get, Query } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Credential, EnvelopedCredential } from '@tracelode/credentials';
import { Projector } from '@tracelode/projections';
import { Public } from '../../auth/api-key.guard';
import { ApiCredentialFormat, credentialFormatOf } from '../credential-format';
import { CredentialIssuer, STATUS_LIST_PATH } from '../credential-issuer';

/** The list as last computed: at which views position, and its signed form once asked for. */
interface ComputedList {
  readonly position: bigint;
  readonly credential: Credential;
  enveloped?: Promise<EnvelopedCredential>;
}

/** The Bitstring Status List of every credential the ledger issued, readable by anyone (bits only). */
@ApiTags('passports')
@Public()
@Controller(STATUS_LIST_PATH.slice(1))
export class StatusListController {
  private computed?: ComputedList;

  constructor(
    private readonly issuer: CredentialIssuer,
    private readonly projector: Projector,
  ) {}

  @Get()
  @ApiOperation({
    summary:
      'BitstringStatusListCredential (revocation) of passports and traceability-event credentials: a bit set once its lot was held, a certificate it rested on revoked, or an event it was built from corrected or voided.',
  })
  @ApiCredentialFormat()
  async list(@Query('format') format: string | undefined): Promise<Credential | EnvelopedCredential> {
    const form = credentialFormatOf(format);
    const list = this.current();
    if (form === 'json') return list.credential;
    list.enveloped ??= this.issuer.envelope(list.credential);
    return list.enveloped;
  }

  /**
   * Computing the list looks at every credential issued; what it says follows the views alone, so it is
   * computed again only once they have moved on: anonymous callers asking in a loop cost nothing more
   * while nothing is written.
   */
  private current(): ComputedList {
    const position = this.projector.position;
    if (this.computed?.position === position) return this.computed;
    this.computed = { position, credential: this.issuer.statusList() };
    return this.computed;
  }
}
