import { Body, Controller, Get, Headers, HttpCode, Inject, Param, Post, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiHeader, ApiOperation, ApiTags } from '@nestjs/swagger';
import {
  assayBatch,
  correctEvent,
  blendBatches,
  type Decider,
  DomainError,
  exportBatch,
  holdBatch,
  mineBatch,
  receiveBatch,
  releaseBatch,
  shipBatch,
  splitBatch,
  transformBatches,
  voidEvent,
} from '@tracelode/domain';
import { type CapturedCommand, EpcisIds, epcisViolations, fromEpcisEvents } from '@tracelode/epcis';
import { canonicalJson } from '@tracelode/event-store';
import type { FastifyReply } from 'fastify';
import { CommandContext, ReaderContext } from '../../auth/request-context.decorators';
import type { Reader } from '@tracelode/projections';
import { ReadModelStore } from '@tracelode/read-models';
import { apiProblem, toProblem } from '../../common/problem-details';
import { sha256Hex } from '../../common/sha256';
import type { LedgerConfig } from '../../config/ledger-config';
import { CommandExecutor, StepRefused } from '../../ledger/command-executor';
import type { CommandMeta } from '../../ledger/command-meta';
import { glnDirectoryOf } from '../../ledger/gln-directory';
import { CaptureJobs } from '../../ledger/capture-jobs';
import { LEDGER_CONFIG } from '../../ledger/ledger.tokens';
import { ViewsReady } from '../../ledger/views-ready';
import { EPCIS_HEADERS } from '../epcis-documents';

/** The decider of each command an EPCIS event can be: the very ones the JSON API's controllers send. */
const DECIDERS: Record<CapturedCommand['type'], Decider<never>> = {
  MineBatch: mineBatch,
  ShipBatch: shipBatch,
  ReceiveBatch: receiveBatch,
  AssayBatch: assayBatch,
  HoldBatch: holdBatch,
  ReleaseBatch: releaseBatch,
  ExportBatch: exportBatch,
  TransformBatches: transformBatches,
  SplitBatch: splitBatch,
  BlendBatches: blendBatches,
  VoidEvent: voidEvent,
  CorrectEvent: correctEvent,
};

/** Most events one capture takes (the binding's capture limit): more is 413 CaptureLimitExceededException. */
export const CAPTURE_LIMIT = 500;

type ErrorBehaviour = 'rollback' | 'proceed';

/** One refused event of a capture: its index in the document, its eventID, and the ledger's code. */
interface CaptureError {
  index: number;
  eventID?: string;
  code: string;
  status: number;
  message: string;
}

/** A capture job as the REST binding shows it. */
interface CaptureJob {
  captureID: string;
  running: boolean;
  success: boolean;
  captureErrorBehaviour: ErrorBehaviour;
  errors: CaptureError[];
  /** Events recorded (each a ledger command) and the log position of the last append. */
  recorded: number;
  position?: string;
}

@ApiTags('epcis')
@ApiBearerAuth()
@Controller('epcis')
export class CaptureController {
  private readonly ids: EpcisIds;

  constructor(
    private readonly executor: CommandExecutor,
    private readonly views: ReadModelStore,
    private readonly jobs: CaptureJobs,
    private readonly ready: ViewsReady,
    @Inject(LEDGER_CONFIG) config: LedgerConfig,
  ) {
    this.ids = new EpcisIds(config.publicUrl);
  }

  @Post('capture')
  @HttpCode(202)
  @ApiOperation({
    summary: 'Capture an EPCISDocument: each event executed as the ledger command it stands for',
    description:
      'Validated against the GS1 EPCIS 2.0 JSON schema first (400 ValidationException listing each violation by JSON pointer, nothing written). With `GS1-Capture-Error-Behaviour: rollback` (the default) all events are one atomic append or nothing; with `proceed` each stands alone. The capture id is derived from the organisation and the document, so the same document captured twice writes once. 202 with `Location: /epcis/capture/{captureID}`.',
  })
  @ApiHeader({
    name: 'GS1-Capture-Error-Behaviour',
    required: false,
    description: '`rollback` (default) or `proceed`',
  })
  @ApiHeader({ name: 'GS1-EPCIS-Version', required: false })
  @ApiHeader({ name: 'GS1-CBV-Version', required: false })
  async capture(
    @Body() body: unknown,
    @Headers() headers: Record<string, string | undefined>,
    @CommandContext('CaptureEpcisDocument') meta: CommandMeta,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<CaptureJob> {
    checkVersions(headers);
    const behaviour = errorBehaviourOf(headers['gs1-capture-error-behaviour']);
    const document = valid(body);
    if ((document as { type?: unknown }).type !== 'EPCISDocument') {
      throw apiProblem('EPCIS_DOCUMENT_INVALID', 'POST /epcis/capture takes an EPCISDocument', {
        violations: [{ pointer: '/type', message: 'must be EPCISDocument' }],
      });
    }
    const events = (document as { epcisBody: { eventList: Record<string, unknown>[] } }).epcisBody.eventList;
    if (events.length > CAPTURE_LIMIT) {
      throw apiProblem(
        'EPCIS_CAPTURE_LIMIT_EXCEEDED',
        `A capture takes at most ${CAPTURE_LIMIT} events; this document holds ${events.length}: split it`,
      );
    }
    // The capture id is the document's: the same document from the same organisation is the same capture.
    const captureID = sha256Hex(`${meta.actor.orgId}\n${behaviour}\n${canonicalJson(document)}`).slice(0, 32);
    const job = await this.run(captureID, events, behaviour, meta);
    await this.keep(meta.actor.orgId, job);
    void reply.header('location', `/epcis/capture/${captureID}`);
    for (const [name, value] of Object.entries(EPCIS_HEADERS)) void reply.header(name, value);
    return job;
  }

  @Post('events')
  @HttpCode(202)
  @ApiOperation({
    summary: 'Capture one EPCIS event (as a document of one event): 202 with the capture job’s Location',
  })
  async captureOne(
    @Body() body: unknown,
    @Headers() headers: Record<string, string | undefined>,
    @CommandContext('CaptureEpcisEvent') meta: CommandMeta,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<CaptureJob> {
    checkVersions(headers);
    const event = valid(body) as Record<string, unknown>;
    const captureID = sha256Hex(`${meta.actor.orgId}\nevent\n${canonicalJson(event)}`).slice(0, 32);
    const job = await this.run(captureID, [event], 'rollback', meta);
    await this.keep(meta.actor.orgId, job);
    void reply.header('location', `/epcis/capture/${captureID}`);
    for (const [name, value] of Object.entries(EPCIS_HEADERS)) void reply.header(name, value);
    return job;
  }

  @Get('capture/:captureId')
  @ApiOperation({ summary: 'A capture job: {captureID, running, success, captureErrorBehaviour, errors}' })
  job(@Param('captureId') captureId: string, @ReaderContext() reader: Reader): CaptureJob {
    const kept = this.jobs.find<CaptureJob>(captureId);
    // Another organisation's capture is answered as one that does not exist.
    if (!kept || kept.orgId !== reader.orgId) {
      throw apiProblem('EPCIS_CAPTURE_NOT_FOUND', `No capture ${captureId} of yours is known`);
    }
    return kept.job;
  }

  private async run(
    captureID: string,
    events: readonly Record<string, unknown>[],
    behaviour: ErrorBehaviour,
    meta: CommandMeta,
  ): Promise<CaptureJob> {
    const job: CaptureJob = {
      captureID,
      running: false,
      success: false,
      captureErrorBehaviour: behaviour,
      errors: [],
      recorded: 0,
    };
    const steps: { index: number; command: CapturedCommand }[] = [];
    // A facility named by its GLN is found in the views: read them once they hold what was acknowledged.
    await this.ready.atLeast(undefined);
    const ids = this.ids.withGlns(glnDirectoryOf(this.views));
    // A corrective event is part of its declaration's correction (`partOf`): no step of its own.
    for (const [index, mapping] of fromEpcisEvents(events, ids, meta.actor.orgId).entries()) {
      if (!mapping.ok)
        job.errors.push(errorOf(index, events[index]!, problemOf(mapping.code, mapping.message)));
      else if ('command' in mapping) steps.push({ index, command: mapping.command });
    }
    const decide = (chosen: typeof steps) =>
      chosen.map(({ command }) => ({
        decider: DECIDERS[command.type] as Decider<{ type: string }>,
        command,
      }));
    if (behaviour === 'rollback') {
      // All or nothing: an event that maps to nothing fails the capture before anything is decided.
      if (job.errors.length > 0) return job;
      try {
        const done = await this.executor.executeAll(
          decide(steps),
          keyed(meta, `epcis-capture:${captureID}`),
          {
            captureID,
            recorded: steps.length,
          },
        );
        return { ...job, success: true, recorded: steps.length, position: done.position };
      } catch (error) {
        if (!(error instanceof StepRefused)) throw error;
        const index = steps[error.index]!.index;
        job.errors.push(errorOf(index, events[index]!, toProblem(error.refusal)));
        return job;
      }
    }
    for (const step of steps) {
      try {
        const done = await this.executor.executeAll(
          decide([step]),
          keyed(meta, `epcis-capture:${captureID}:${step.index}`),
          { captureID, index: step.index },
        );
        job.recorded += 1;
        job.position = done.position;
      } catch (error) {
        if (!(error instanceof StepRefused) && !(error instanceof DomainError)) throw error;
        const refusal = error instanceof StepRefused ? error.refusal : error;
        job.errors.push(errorOf(step.index, events[step.index]!, toProblem(refusal)));
      }
    }
    job.errors.sort((a, b) => a.index - b.index);
    job.success = job.errors.length === 0;
    return job;
  }

  /** Kept in the read-model file, so a restart does not lose it (ADR 0031). */
  private keep(orgId: string, job: CaptureJob): Promise<void> {
    return this.jobs.keep(job.captureID, orgId, job);
  }
}

/** The capture recorded under its id, as an Idempotency-Key would be: a second capture replays the first. */
const keyed = (meta: CommandMeta, key: string): CommandMeta => ({ ...meta, idempotencyKey: key });

const problemOf = (code: string, message: string) => toProblem(apiProblem(code as never, message));

function errorOf(
  index: number,
  event: Record<string, unknown>,
  problem: { code: string; status: number; detail: string },
): CaptureError {
  return {
    index,
    ...(typeof event.eventID === 'string' ? { eventID: event.eventID } : {}),
    code: problem.code,
    status: problem.status,
    message: problem.detail,
  };
}

/** The document against the GS1 schema: every violation by its JSON pointer, or a 400 with nothing written. */
function valid(body: unknown): unknown {
  const violations = epcisViolations(body);
  if (violations.length > 0) {
    throw apiProblem(
      'EPCIS_DOCUMENT_INVALID',
      `The document is not valid against the GS1 EPCIS 2.0 JSON schema: ${violations
        .slice(0, 5)
        .map((v) => `${v.pointer || '/'} ${v.message}`)
        .join('; ')}${violations.length > 5 ? '; …' : ''}`,
      { violations },
    );
  }
  return body;
}

function errorBehaviourOf(header: string | undefined): ErrorBehaviour {
  if (header === undefined || header === '' || header === 'rollback') return 'rollback';
  if (header === 'proceed') return 'proceed';
  throw apiProblem('EPCIS_DOCUMENT_INVALID', 'GS1-Capture-Error-Behaviour must be rollback or proceed', {
    violations: [{ pointer: '', message: `GS1-Capture-Error-Behaviour: ${header}` }],
  });
}

/** This ledger speaks EPCIS 2.0 and CBV 2.0: a request asking for another major version is refused. */
function checkVersions(headers: Record<string, string | undefined>): void {
  for (const name of ['gs1-epcis-version', 'gs1-cbv-version']) {
    const value = headers[name];
    if (value !== undefined && !/^2\.0(\.\d+)?$/.test(value.trim())) {
      throw apiProblem(
        'EPCIS_VERSION_UNSUPPORTED',
        `${name} ${value} is not supported: this ledger speaks 2.0`,
      );
    }
  }
}
