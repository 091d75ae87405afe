import { Controller, Get, Inject, Query, Req, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiProduces, ApiQuery, ApiTags } from '@nestjs/swagger';
import { type EpcisEvent, EpcisIds, epcisQueryEvents, glnReferenceOf } from '@tracelode/epcis';
import type { Reader } from '@tracelode/projections';
import type { EpcisIndexFilter } from '@tracelode/read-models';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ReaderContext } from '../../auth/request-context.decorators';
import { parseInstant } from '../../common/instant';
import { apiProblem } from '../../common/problem-details';
import type { LedgerConfig } from '../../config/ledger-config';
import { LEDGER_CONFIG } from '../../ledger/ledger.tokens';
import { ViewSource } from '../../ledger/view-source';
import { ViewsReady } from '../../ledger/views-ready';
import { EPCIS_HEADERS, epcisQueryDocument, JSON_LD } from '../epcis-documents';

const EVENT_TYPES = [
  'ObjectEvent',
  'AggregationEvent',
  'TransactionEvent',
  'TransformationEvent',
  'AssociationEvent',
];
const DEFAULT_PER_PAGE = 30;
const MAX_PER_PAGE = 1000;
/** CBV terms are given bare (`shipping`) or as their GS1 Web URI (`https://ref.gs1.org/cbv/BizStep-shipping`). */
const CBV_URI =
  /^(?:https?:\/\/ref\.gs1\.org\/cbv\/(?:BizStep|Disp)-|urn:epcglobal:cbv:(?:bizstep|disp):)(.+)$/;
const CBV_TERM = /^[a-z_]+$/;
const URI = /^[a-zA-Z][a-zA-Z0-9+.-]*:\S+$/;
const TOKEN = /^[A-Za-z0-9_-]{1,32}$/;

/** The parameters this query takes (GS1 EPCIS 2.0 REST binding, SimpleEventQuery), and the ledger's own. */
const PARAMETERS = new Set([
  'eventType',
  'GE_eventTime',
  'LT_eventTime',
  'GE_recordTime',
  'LT_recordTime',
  'EQ_bizStep',
  'EQ_bizLocation',
  'MATCH_anyEPCClass',
  'MATCH_inputEPCClass',
  'MATCH_outputEPCClass',
  'EQ_persistentDisposition_set',
  'perPage',
  'nextPageToken',
  'minPosition',
]);

const refuse = (message: string) => apiProblem('EPCIS_QUERY_PARAMETER_INVALID', message);

@ApiTags('epcis')
@ApiBearerAuth()
@Controller('epcis/events')
export class QueryEventsController {
  private readonly ids: EpcisIds;

  constructor(
    private readonly source: ViewSource,
    private readonly ready: ViewsReady,
    @Inject(LEDGER_CONFIG) config: LedgerConfig,
  ) {
    this.ids = new EpcisIds(config.publicUrl);
  }

  @Get()
  @ApiOperation({
    summary: 'GS1 EPCIS 2.0 events query: an EPCISQueryDocument of the events the reader may see',
    description:
      'Filters of the REST binding (lists comma-separated, each "any of"); pages of `perPage` (1–1000, default 30) with the next page in a `Link: <…>; rel="next"` header. Unknown parameters and bad values are 400 QueryParameterException (`code: EPCIS_QUERY_PARAMETER_INVALID`). A page may be shorter than perPage and still have a next one: each request examines a bounded number of index rows (docs/epcis.md).',
  })
  @ApiQuery({ name: 'eventType', required: false })
  @ApiQuery({ name: 'GE_eventTime', required: false })
  @ApiQuery({ name: 'LT_eventTime', required: false })
  @ApiQuery({ name: 'GE_recordTime', required: false })
  @ApiQuery({ name: 'LT_recordTime', required: false })
  @ApiQuery({ name: 'EQ_bizStep', required: false })
  @ApiQuery({ name: 'EQ_bizLocation', required: false })
  @ApiQuery({ name: 'MATCH_anyEPCClass', required: false })
  @ApiQuery({ name: 'MATCH_inputEPCClass', required: false })
  @ApiQuery({ name: 'MATCH_outputEPCClass', required: false })
  @ApiQuery({ name: 'EQ_persistentDisposition_set', required: false })
  @ApiQuery({ name: 'perPage', required: false })
  @ApiQuery({ name: 'nextPageToken', required: false })
  @ApiQuery({ name: 'minPosition', required: false })
  @ApiProduces(JSON_LD)
  @ApiOkResponse({ schema: { type: 'object', additionalProperties: true } })
  async query(
    @Query() query: Record<string, string | string[] | undefined>,
    @ReaderContext() reader: Reader,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<ReturnType<typeof epcisQueryDocument>> {
    const params = new Map<string, string>();
    for (const [name, value] of Object.entries(query)) {
      if (!PARAMETERS.has(name)) throw refuse(`Unknown query parameter ${name}`);
      const values = Array.isArray(value) ? value : [value ?? ''];
      params.set(name, values.join(','));
    }
    const minPosition = params.get('minPosition');
    if (minPosition !== undefined && !/^\d{1,19}$/.test(minPosition)) {
      throw refuse('minPosition must be a log position (digits)');
    }
    const perPage = this.perPageOf(params.get('perPage'));
    const after = tokenPosition(params.get('nextPageToken'));
    // A GLN in EQ_bizLocation is read through the views: wait for them before reading it.
    await this.ready.atLeast(minPosition);
    const ids = this.ids.withGlns(this.source.glnDirectory());
    const filter = this.filterOf(params, ids);
    const { records, next } = await this.source.epcisEvents(filter, after, perPage, reader);
    // Each event names by GLN only organisations the reader may identify (ADR 0031): the others by the
    // ledger's URIs, as its lot's other reads withhold their names.
    const glnsOf = this.source.epcisGlns(reader, records);
    const answers = answersLocation(params.get('EQ_bizLocation'), ids);
    const events = records.flatMap((record) =>
      epcisQueryEvents(record, this.ids.withGlns(glnsOf(record.stream.slice('batch-'.length)))).filter(
        answers,
      ),
    );
    void reply.header('content-type', `${JSON_LD}; charset=utf-8`);
    for (const [name, value] of Object.entries(EPCIS_HEADERS)) void reply.header(name, value);
    if (next !== undefined) {
      const link = new URLSearchParams([...params].filter(([name]) => name !== 'nextPageToken'));
      link.set('nextPageToken', positionToken(next));
      void reply.header('link', `<${request.url.split('?')[0]}?${link.toString()}>; rel="next"`);
    }
    return epcisQueryDocument(ids, events);
  }

  private filterOf(params: ReadonlyMap<string, string>, ids: EpcisIds): EpcisIndexFilter {
    const list = (name: string) => {
      const text = params.get(name);
      if (text === undefined) return undefined;
      const values = text.split(',').map((value) => value.trim());
      if (values.some((value) => value === '')) throw refuse(`${name} must not hold an empty value`);
      return values;
    };
    const time = (name: string) => {
      const text = params.get(name);
      if (text === undefined) return undefined;
      const instant = parseInstant(text);
      if (instant === undefined) {
        throw refuse(`${name} must be an ISO 8601 date-time with an offset, e.g. 2026-03-01T00:00:00Z`);
      }
      return instant;
    };
    const uris = (name: string) => {
      const values = list(name);
      for (const value of values ?? []) if (!URI.test(value)) throw refuse(`${name}: ${value} is not a URI`);
      return values;
    };
    const cbv = (name: string) =>
      list(name)?.map((value) => {
        const term = CBV_URI.exec(value)?.[1] ?? value;
        if (!CBV_TERM.test(term) && !URI.test(value))
          throw refuse(`${name}: ${value} is neither a CBV term nor a URI`);
        return term;
      });
    const eventTypes = list('eventType');
    for (const type of eventTypes ?? []) {
      if (!EVENT_TYPES.includes(type))
        throw refuse(`eventType must be one of ${EVENT_TYPES.join(', ')}; got ${type}`);
    }
    const lots = (name: string) =>
      uris(name)?.flatMap((uri) => {
        const batchId = ids.parse('batches', uri);
        return batchId === undefined ? [] : [batchId];
      });
    const locations = uris('EQ_bizLocation')?.flatMap((uri) => {
      const facility = ids.parseFacility(uri);
      return facility ? [`${facility.orgId}/${facility.facilityId}`] : [];
    });
    const filter: Record<string, unknown> = {
      eventTypes,
      geEventTime: time('GE_eventTime'),
      ltEventTime: time('LT_eventTime'),
      geRecordTime: time('GE_recordTime'),
      ltRecordTime: time('LT_recordTime'),
      bizSteps: cbv('EQ_bizStep'),
      bizLocations: locations,
      anyClass: lots('MATCH_anyEPCClass'),
      inputClass: lots('MATCH_inputEPCClass'),
      outputClass: lots('MATCH_outputEPCClass'),
      dispositionSet: cbv('EQ_persistentDisposition_set'),
    };
    return Object.fromEntries(Object.entries(filter).filter(([, value]) => value !== undefined));
  }

  private perPageOf(text: string | undefined): number {
    if (text === undefined) return DEFAULT_PER_PAGE;
    const value = Number(text);
    if (!/^\d+$/.test(text) || value < 1 || value > MAX_PER_PAGE) {
      throw refuse(`perPage must be a whole number from 1 to ${MAX_PER_PAGE}`);
    }
    return value;
  }
}

/**
 * Whether an event answers EQ_bizLocation as the reader is shown it: a place asked for by the ledger's URI
 * whatever the event names it by; by a GLN (Digital Link or SGLN) only when the event shows that GLN — one
 * the reader may not see is not answered, or the answer would tell who holds it.
 */
function answersLocation(text: string | undefined, ids: EpcisIds): (event: EpcisEvent) => boolean {
  if (text === undefined) return () => true;
  const links = new Set<string>();
  const places = new Set<string>();
  for (const uri of text.split(',').map((value) => value.trim())) {
    const reference = glnReferenceOf(uri);
    if (reference) links.add(`https://id.gs1.org/414/${reference.gln}`);
    else {
      const facility = ids.parseFacility(uri);
      if (facility) places.add(`${facility.orgId}/${facility.facilityId}`);
    }
  }
  return (event) => {
    const id = (event.bizLocation as { id?: unknown } | undefined)?.id;
    if (typeof id !== 'string') return false;
    if (links.has(id)) return true;
    const facility = ids.parseFacility(id);
    return facility !== undefined && places.has(`${facility.orgId}/${facility.facilityId}`);
  };
}

/** Page tokens are opaque to clients: the log position the next page starts after, base64url. */
const positionToken = (position: bigint) => Buffer.from(`p${position}`).toString('base64url');

function tokenPosition(token: string | undefined): bigint {
  if (token === undefined) return 0n;
  const decoded = TOKEN.test(token) ? /^p(\d{1,19})$/.exec(Buffer.from(token, 'base64url').toString()) : null;
  if (!decoded) throw refuse('nextPageToken is not a token this ledger gave');
  return BigInt(decoded[1]!);
}
