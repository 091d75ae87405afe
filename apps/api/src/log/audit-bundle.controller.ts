import { Controller, Get, Param } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { AuditBundle } from '@tracelode/evidence';
import { LedgerIdPipe } from '../common/ledger-id.pipe';
import { ViewSource } from '../ledger/view-source';
import { batchNotFound } from '../ledger/views-ready';

@ApiTags('verifiable log')
@ApiBearerAuth()
@Controller('batches/:batchId/audit-bundle')
export class AuditBundleController {
  constructor(private readonly source: ViewSource) {}

  @Get()
  @ApiOperation({
    summary: 'One JSON document to verify offline with `tracelode verify`',
    description:
      'Every event of the batch, its ancestors, and the organisations, certificates and licences they name, each with its RFC 9162 inclusion proof against one signed checkpoint covering the log as it is now; the checkpoint; the ledger’s public key; and the custody, provenance, carbon and certification views those events give.',
  })
  @ApiOkResponse({ schema: { type: 'object', additionalProperties: true } })
  async bundle(@Param('batchId', LedgerIdPipe) batchId: string): Promise<AuditBundle> {
    const bundle = await this.source.auditBundle(batchId);
    if (!bundle) throw batchNotFound(batchId);
    return bundle;
  }
}
