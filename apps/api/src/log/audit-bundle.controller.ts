import { Controller, Get, Header, Headers, Param, StreamableFile } from '@nestjs/common';
import { ApiBearerAuth, ApiHeader, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { NDJSON } from '@tracelode/evidence';
import { ClientGone, ReaderContext } from '../auth/request-context.decorators';
import type { Reader } from '@tracelode/projections';
import { LedgerIdPipe } from '../common/ledger-id.pipe';
import { type AuditBundleForm, ViewSource } from '../ledger/view-source';
import { batchNotFound } from '../ledger/views-ready';

@ApiTags('verifiable log')
@ApiBearerAuth()
@Controller('batches/:batchId/audit-bundle')
export class AuditBundleController {
  constructor(private readonly source: ViewSource) {}

  @Get()
  @Header('Vary', 'Accept')
  @ApiOperation({
    summary: 'Everything to verify a batch offline with `tracelode verify`: one JSON document, or streamed',
    description:
      'Every event of the batch, its ancestors, and the organisations, certificates and licences they name, each with its RFC 9162 inclusion proof against one signed checkpoint covering the log as it is now; the checkpoint; the ledger’s public key; and the custody, provenance, carbon and certification views those events give. ' +
      'With `Accept: application/x-ndjson`, the same content streamed as NDJSON for big chains: a header line (`format: tracelode-audit-bundle-stream/v1`, batchId, createdAt, publicKey, checkpoint), one `{"event": …}` line per event with its inclusion proof, in log order, and a `{"trailer": {events, streams, streamsSignature, views}}` line. ' +
      'The document holds at most TRACELODE_MAX_EVIDENCE_EVENTS events (20,000; beyond, 413 BUNDLE_TOO_LARGE naming `streamedMaxEvents`), the stream TRACELODE_MAX_STREAMED_EVIDENCE_EVENTS (100,000).',
  })
  @ApiHeader({
    name: 'Accept',
    required: false,
    description: '`application/x-ndjson` for the streamed form; anything else gives the one JSON document',
  })
  @ApiOkResponse({
    content: {
      'application/json': { schema: { type: 'object', additionalProperties: true } },
      [NDJSON]: { schema: { type: 'string', description: 'header line, event lines, trailer line' } },
    },
  })
  async bundle(
    @Param('batchId', LedgerIdPipe) batchId: string,
    @Headers('accept') accept: string | undefined,
    @ReaderContext() reader: Reader,
    @ClientGone() gone: AbortSignal,
  ): Promise<StreamableFile> {
    const form: AuditBundleForm = (accept ?? '').toLowerCase().includes(NDJSON) ? 'stream' : 'document';
    const bytes = await this.source.auditBundle(batchId, form, reader, gone);
    if (!bytes) throw batchNotFound(batchId);
    const type = form === 'stream' ? `${NDJSON}; charset=utf-8` : 'application/json; charset=utf-8';
    return new StreamableFile(bytes, { type });
  }
}
