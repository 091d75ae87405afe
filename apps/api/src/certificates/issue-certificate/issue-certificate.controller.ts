import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiCreatedResponse, ApiHeader, ApiOperation, ApiTags } from '@nestjs/swagger';
import { type IssueCertificate, issueCertificate } from '@tracelode/domain';
import { CommandContext } from '../../auth/request-context.decorators';
import type { CommandMeta } from '../../ledger/command-meta';
import { LedgerCommand } from '../../ledger/command-executor';
import { CertificateResponse, IssueCertificateDto } from './issue-certificate.dto';

@ApiTags('certificates')
@ApiBearerAuth()
@ApiHeader({ name: 'Idempotency-Key', required: false })
@Controller('certificates')
export class IssueCertificateController {
  constructor(private readonly commandBus: CommandBus) {}

  @Post()
  @HttpCode(201)
  @ApiOperation({ summary: 'Issue a certificate for a batch, facility or organisation (certifier)' })
  @ApiCreatedResponse({ type: CertificateResponse })
  issue(
    @Body() body: IssueCertificateDto,
    @CommandContext('IssueCertificate') meta: CommandMeta,
  ): Promise<CertificateResponse> {
    const command: IssueCertificate = {
      type: 'IssueCertificate',
      data: {
        certificateId: body.certificateId,
        scheme: body.scheme,
        ...(body.level ? { level: body.level } : {}),
        subject: {
          type: body.subject.type,
          id: body.subject.id,
          ...(body.subject.type === 'facility' && body.subject.orgId ? { orgId: body.subject.orgId } : {}),
        },
        validFrom: body.validFrom,
        validUntil: body.validUntil,
        evidence: { sha256: body.evidence.sha256, uri: body.evidence.uri },
        occurredAt: body.occurredAt ?? meta.recordedAt,
      },
    };
    return this.commandBus.execute(
      new LedgerCommand(issueCertificate, command, meta, {
        certificateId: body.certificateId,
        status: 'valid',
      }),
    );
  }
}
