import { Body, Controller, HttpCode, Param, Post } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiCreatedResponse, ApiHeader, ApiOperation, ApiTags } from '@nestjs/swagger';
import {
  type CertificateStatus,
  type Decider,
  type ReinstateCertificate,
  reinstateCertificate,
  type RevokeCertificate,
  revokeCertificate,
  type SuspendCertificate,
  suspendCertificate,
} from '@tracelode/domain';
import { CommandContext } from '../../auth/request-context.decorators';
import { LedgerIdPipe } from '../../common/ledger-id.pipe';
import type { CommandMeta } from '../../ledger/command-meta';
import { LedgerCommand } from '../../ledger/command-executor';
import { CertificateResponse } from '../issue-certificate/issue-certificate.dto';
import { CertificateChangeDto } from './change-certificate.dto';

type StatusCommand = SuspendCertificate | ReinstateCertificate | RevokeCertificate;

@ApiTags('certificates')
@ApiBearerAuth()
@ApiHeader({ name: 'Idempotency-Key', required: false })
@Controller('certificates/:certificateId')
export class ChangeCertificateController {
  constructor(private readonly commandBus: CommandBus) {}

  @Post('suspensions')
  @HttpCode(201)
  @ApiOperation({ summary: 'Suspend a certificate (its issuing certifier only)' })
  @ApiCreatedResponse({ type: CertificateResponse })
  suspend(
    @Param('certificateId', LedgerIdPipe) certificateId: string,
    @Body() body: CertificateChangeDto,
    @CommandContext('SuspendCertificate') meta: CommandMeta,
  ): Promise<CertificateResponse> {
    return this.change(suspendCertificate, 'SuspendCertificate', 'suspended', certificateId, body, meta);
  }

  @Post('reinstatements')
  @HttpCode(201)
  @ApiOperation({ summary: 'Reinstate a suspended certificate (its issuing certifier only)' })
  @ApiCreatedResponse({ type: CertificateResponse })
  reinstate(
    @Param('certificateId', LedgerIdPipe) certificateId: string,
    @Body() body: CertificateChangeDto,
    @CommandContext('ReinstateCertificate') meta: CommandMeta,
  ): Promise<CertificateResponse> {
    return this.change(reinstateCertificate, 'ReinstateCertificate', 'valid', certificateId, body, meta);
  }

  @Post('revocations')
  @HttpCode(201)
  @ApiOperation({ summary: 'Revoke a certificate, from occurredAt on (its issuing certifier only; final)' })
  @ApiCreatedResponse({ type: CertificateResponse })
  revoke(
    @Param('certificateId', LedgerIdPipe) certificateId: string,
    @Body() body: CertificateChangeDto,
    @CommandContext('RevokeCertificate') meta: CommandMeta,
  ): Promise<CertificateResponse> {
    return this.change(revokeCertificate, 'RevokeCertificate', 'revoked', certificateId, body, meta);
  }

  private change<Command extends StatusCommand>(
    decider: Decider<Command>,
    type: Command['type'],
    status: CertificateStatus,
    certificateId: string,
    body: CertificateChangeDto,
    meta: CommandMeta,
  ): Promise<CertificateResponse> {
    const data = { certificateId, reason: body.reason, occurredAt: body.occurredAt };
    return this.commandBus.execute(
      new LedgerCommand(decider, { type, data } as Command, meta, { certificateId, status }),
    );
  }
}
