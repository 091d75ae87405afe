import { Controller, Get, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import { MATERIAL_FORMS } from '@tracelode/domain';
import type { Reader } from '@tracelode/projections';
import { ReaderContext } from '../../auth/request-context.decorators';
import { apiProblem } from '../../common/problem-details';
import { LEDGER_ID } from '../../common/validation';
import { ViewSource } from '../../ledger/view-source';
import { BatchListDto } from './batch-list.dto';

/** Statuses a listed batch may show: the custody statuses, `held`, and what a partial reader is shown. */
export const LISTED_STATUSES = [
  'in_custody',
  'in_transit',
  'consumed',
  'exported',
  'held',
  'left_custody',
  'undisclosed',
] as const;
const PARAMETERS = new Set(['status', 'form', 'custodian', 'q', 'cursor', 'limit', 'minPosition']);
const ID = LEDGER_ID;
const POSITION = /^\d{1,19}$/;
const DEFAULT_LIMIT = 50;
const MAX_LIMIT = 100;

/** The cursor is opaque to callers: the last batch id examined and the filters it continues, base64url JSON. */
interface Cursor {
  readonly after: string;
  readonly filters: string;
}

@ApiTags('batches')
@ApiBearerAuth()
@Controller('batches')
export class BatchListController {
  constructor(private readonly source: ViewSource) {}

  @Get()
  @ApiOperation({
    summary: 'The batches the reader may see (docs/visibility.md), in batch id order, a page at a time',
    description:
      'Filters: status, form (material form), custodian (organisation id), q (a batch id prefix). Found ' +
      'through index terms the projections keep, never a scan of every batch. `next` is an opaque cursor ' +
      'for the following page (null on the last).',
  })
  @ApiQuery({ name: 'status', required: false, enum: LISTED_STATUSES })
  @ApiQuery({ name: 'form', required: false, enum: MATERIAL_FORMS })
  @ApiQuery({ name: 'custodian', required: false })
  @ApiQuery({ name: 'q', required: false, description: 'Batch id prefix' })
  @ApiQuery({ name: 'cursor', required: false })
  @ApiQuery({ name: 'limit', required: false, description: `1 to ${MAX_LIMIT} (default ${DEFAULT_LIMIT})` })
  @ApiQuery({ name: 'minPosition', required: false })
  @ApiOkResponse({ type: BatchListDto })
  async list(
    @ReaderContext() reader: Reader,
    @Query() query: Record<string, unknown>,
  ): Promise<{ batches: unknown[]; next: string | null }> {
    for (const [name, value] of Object.entries(query)) {
      if (!PARAMETERS.has(name))
        throw apiProblem('INVALID_FILTER', `Unknown query parameter ${name}`, { parameter: name });
      if (typeof value !== 'string')
        throw apiProblem('INVALID_FILTER', `${name} may be given once`, { parameter: name });
    }
    const text = query as Record<string, string | undefined>;
    const { status, form, custodian, q } = text;
    if (status !== undefined && !(LISTED_STATUSES as readonly string[]).includes(status))
      throw apiProblem('INVALID_FILTER', `status must be one of ${LISTED_STATUSES.join(', ')}`, {
        parameter: 'status',
      });
    if (form !== undefined && !(MATERIAL_FORMS as readonly string[]).includes(form))
      throw apiProblem('INVALID_FILTER', `form must be one of ${MATERIAL_FORMS.join(', ')}`, {
        parameter: 'form',
      });
    if (custodian !== undefined && !ID.test(custodian))
      throw apiProblem('INVALID_FILTER', 'custodian must be an organisation id', { parameter: 'custodian' });
    if (q !== undefined && (q.length === 0 || q.length > 128))
      throw apiProblem('INVALID_FILTER', 'q must be 1 to 128 characters (a batch id prefix)', {
        parameter: 'q',
      });
    if (text.minPosition !== undefined && !POSITION.test(text.minPosition))
      throw apiProblem('INVALID_POSITION', 'minPosition must be a log position (digits)');
    const limit = text.limit === undefined ? DEFAULT_LIMIT : Number(text.limit);
    if (!/^\d{1,3}$/.test(text.limit ?? '1') || limit < 1 || limit > MAX_LIMIT)
      throw apiProblem('INVALID_LIMIT', `limit must be a whole number from 1 to ${MAX_LIMIT}`);
    const filters = JSON.stringify([status ?? null, form ?? null, custodian ?? null, q ?? null]);
    const after = text.cursor === undefined ? undefined : readCursor(text.cursor, filters);
    const page = await this.source.batchList(reader, {
      ...(status !== undefined ? { status } : {}),
      ...(form !== undefined ? { form } : {}),
      ...(custodian !== undefined ? { custodian } : {}),
      ...(q !== undefined ? { q } : {}),
      ...(after !== undefined ? { after } : {}),
      ...(text.minPosition !== undefined ? { minPosition: text.minPosition } : {}),
      limit,
    });
    return {
      batches: page.rows,
      next: page.next === undefined ? null : writeCursor({ after: page.next, filters }),
    };
  }
}

const writeCursor = (cursor: Cursor): string => Buffer.from(JSON.stringify(cursor)).toString('base64url');

function readCursor(text: string, filters: string): string {
  const refused = () =>
    apiProblem(
      'INVALID_CURSOR',
      'cursor must be the `next` of a previous page of the same query (same status, form, custodian and q)',
    );
  if (!/^[A-Za-z0-9_-]{1,1024}$/.test(text)) throw refused();
  let cursor: unknown;
  try {
    cursor = JSON.parse(Buffer.from(text, 'base64url').toString('utf8'));
  } catch {
    throw refused();
  }
  const { after, filters: given } = (cursor ?? {}) as Partial<Cursor>;
  if (typeof after !== 'string' || given !== filters) throw refused();
  return after;
}
