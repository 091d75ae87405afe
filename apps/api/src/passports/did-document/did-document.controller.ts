import { Controller, Get, Header } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type { DidDocument } from '@tracelode/credentials';
import { Public } from '../../auth/api-key.guard';
import { CredentialIssuer } from '../credential-issuer';

/** The ledger's did:web DID document, readable by anyone: how a buyer's system finds the key offline. */
@ApiTags('passports')
@Public()
@Controller('.well-known/did.json')
export class DidDocumentController {
  constructor(private readonly issuer: CredentialIssuer) {}

  @Get()
  @Header('content-type', 'application/did+json')
  @ApiOperation({
    summary:
      'The did:web DID document of TRACELODE_PUBLIC_URL: the checkpoint key (Ed25519) as a JsonWebKey assertion method',
  })
  document(): DidDocument {
    return this.issuer.didDocument;
  }
}
