import { Controller, Get, HttpException, Inject, Param } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CorruptEventError, type EventStore } from '@tracelode/event-store';
import { assembleAuditBundle, type AuditBundle } from '@tracelode/evidence';
import { LogNotary } from '@tracelode/log';
import { Projector } from '@tracelode/projections';
import { ReadModelStore } from '@tracelode/read-models';
import { LedgerIdPipe } from '../common/ledger-id.pipe';
import type { LedgerConfig } from '../config/ledger-config';
import { EVENT_STORE, LEDGER_CONFIG } from '../ledger/ledger.tokens';
import { batchNotFound } from '../ledger/views-ready';

@ApiTags('verifiable log')
@ApiBearerAuth()
@Controller('batches/:batchId/audit-bundle')
export class AuditBundleController {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    private readonly notary: LogNotary,
    private readonly projector: Projector,
    private readonly views: ReadModelStore,
    @Inject(LEDGER_CONFIG) private readonly config: LedgerConfig,
  ) {}

  @Get()
  @ApiOperation({
    summary: 'One JSON document to verify offline with `tracelode verify`',
    description:
      'Every event of the batch, its ancestors, and the organisations, certificates and licences they name, each with its RFC 9162 inclusion proof against one signed checkpoint covering the log as it is now; the checkpoint; the ledger’s public key; and the custody, provenance, carbon and certification views those events give.',
  })
  @ApiOkResponse({ schema: { type: 'object', additionalProperties: true } })
  async bundle(@Param('batchId', LedgerIdPipe) batchId: string): Promise<AuditBundle> {
    const head = await this.store.headPosition();
    const wait = this.config.minPositionWaitMs;
    if (this.notary.error) {
      throw new HttpException(
        {
          code: 'LOG_INTEGRITY_FAILED',
          message: `The log cannot be notarised: ${this.notary.error.message}`,
        },
        503,
      );
    }
    const [viewsReady, logReady] = await Promise.all([
      this.projector.waitFor(head, wait),
      this.notary.waitFor(Number(head), wait),
    ]);
    if (!viewsReady || !logReady) {
      throw new HttpException(
        {
          code: 'LOG_BEHIND',
          message: `The views or the Merkle log have not reached position ${head} yet; retry shortly`,
          retryAfterSeconds: 1,
        },
        503,
      );
    }
    const bundle = await this.assemble(batchId);
    if (!bundle) throw batchNotFound(batchId);
    return bundle;
  }

  private async assemble(batchId: string): Promise<AuditBundle | undefined> {
    try {
      return await assembleAuditBundle(
        this.store,
        this.notary,
        (collection, key) => this.views.get(collection, key),
        batchId,
      );
    } catch (error) {
      if (!(error instanceof CorruptEventError)) throw error;
      throw new HttpException({ code: 'LOG_CORRUPT', message: error.message, eventId: error.eventId }, 500);
    }
  }
}
