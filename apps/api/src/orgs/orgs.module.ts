import { Module } from '@nestjs/common';
import { RegisterOrganisationController } from './register-organisation/register-organisation.controller';
import { RegisterFacilityController } from './register-facility/register-facility.controller';
import { RegisterSigningKeyController } from './register-signing-key/register-signing-key.controller';
import { RevokeSigningKeyController } from './revoke-signing-key/revoke-signing-key.controller';
import { IssueApiKeyController } from './issue-api-key/issue-api-key.controller';
import { AssignGlnController } from './assign-gln/assign-gln.controller';
import { WhoamiController } from './whoami/whoami.controller';
import { RevokeApiKeyController } from './revoke-api-key/revoke-api-key.controller';

@Module({
  controllers: [
    RegisterOrganisationController,
    RegisterFacilityController,
    AssignGlnController,
    RegisterSigningKeyController,
    RevokeSigningKeyController,
    IssueApiKeyController,
    RevokeApiKeyController,
    WhoamiController,
  ],
})
export class OrgsModule {}
