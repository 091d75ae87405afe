import { Body, Controller, HttpCode, Param, Post } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiCreatedResponse, ApiHeader, ApiOperation, ApiTags } from '@nestjs/swagger';
import { issueApiKey } from '@tracelode/domain';
import { newApiKey } from '../../auth/auth.service';
import { CommandContext } from '../../auth/request-context.decorators';
import { LedgerIdPipe } from '../../common/ledger-id.pipe';
import { LedgerCommand } from '../../ledger/command-executor';
import type { CommandMeta } from '../../ledger/command-meta';
import { IssueApiKeyDto, IssueApiKeyResponse } from './issue-api-key.dto';

@ApiTags('organisations')
@ApiBearerAuth()
@ApiHeader({ name: 'Idempotency-Key', required: false })
@Controller('orgs/:orgId/api-keys')
export class IssueApiKeyController {
  constructor(private readonly commandBus: CommandBus) {}

  @Post()
  @HttpCode(201)
  @ApiOperation({
    summary: 'Issue your organisation another API key (shown once); the operator may issue one for any',
    description: 'Rotation: issue a new key, move to it, then revoke the old one.',
  })
  @ApiCreatedResponse({ type: IssueApiKeyResponse })
  issue(
    @Param('orgId', LedgerIdPipe) orgId: string,
    @Body() body: IssueApiKeyDto,
    @CommandContext('IssueApiKey') meta: CommandMeta,
  ): Promise<IssueApiKeyResponse> {
    const { keyId, apiKey, keySha256 } = newApiKey(orgId);
    const label = body.label !== undefined ? { label: body.label } : {};
    const data = { orgId, keyId, keySha256, ...label };
    return this.commandBus.execute(
      // The key itself is never stored, so a retry cannot be answered with it.
      new LedgerCommand(
        issueApiKey,
        { type: 'IssueApiKey', data },
        meta,
        { orgId, keyId, apiKey, ...label },
        ({ apiKey: _secret, ...rest }) => rest,
      ),
    );
  }
}
