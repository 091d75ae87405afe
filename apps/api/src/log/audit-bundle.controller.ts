import { Controller, Get, Param, StreamableFile } from '@nestjs/common';
import { ReaderContext } from '../auth/request-context.decorators';
import type { Reader } from '@tracelode/projections';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { type AuditBundle, yieldEvery } from '@tracelode/evidence';
import { Readable } from 'node:stream';
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
  async bundle(
    @Param('batchId', LedgerIdPipe) batchId: string,
    @ReaderContext() reader: Reader,
  ): Promise<StreamableFile> {
    const bundle = await this.source.auditBundle(batchId, reader);
    if (!bundle) throw batchNotFound(batchId);
    return new StreamableFile(Readable.from(bundleJson(bundle)), { type: 'application/json; charset=utf-8' });
  }
}

/** Bytes of JSON written between yields to the event loop. */
const CHUNK = 64 * 1024;

/**
 * The bundle as JSON, written out a slice at a time (its events last), so a bundle of many megabytes is
 * never serialised in one piece while other requests wait.
 */
async function* bundleJson(bundle: AuditBundle): AsyncGenerator<string> {
  const pace = yieldEvery(5);
  const { events, ...head } = bundle;
  let chunk = `${JSON.stringify(head).slice(0, -1)},"events":[`;
  for (const [i, event] of events.entries()) {
    chunk += (i === 0 ? '' : ',') + JSON.stringify(event);
    if (chunk.length >= CHUNK) {
      yield chunk;
      chunk = '';
      await pace();
    }
  }
  yield `${chunk}]}`;
}
