import {
  type ArgumentsHost,
  BadRequestException,
  Catch,
  type ExceptionFilter,
  HttpException,
  Logger,
} from '@nestjs/common';
import { DomainError } from '@tracelode/domain';
import { EventStoreUnavailableError } from '@tracelode/event-store';
import { API_PROBLEMS, type ApiProblemCode, EPCIS_EXCEPTIONS, STATUS_OF_KIND } from './problem-codes';
import type { ValidationError } from 'class-validator';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { UnauthenticatedError } from '../auth/api-key.guard';

/** An RFC 9457 problem document with the ledger's stable `code`. */
export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  code: string;
  instance?: string;
  [extension: string]: unknown;
}

/** The one way the API refuses outside the domain: the code decides the status. */
export const apiProblem = (code: ApiProblemCode, message: string, extensions: Record<string, unknown> = {}) =>
  new HttpException({ code, message, ...extensions }, API_PROBLEMS[code]);

const CODE_OF_STATUS: Record<number, ApiProblemCode> = {
  400: 'BAD_REQUEST',
  401: 'UNAUTHENTICATED',
  403: 'FORBIDDEN',
  404: 'NOT_FOUND',
  405: 'METHOD_NOT_ALLOWED',
  413: 'BODY_TOO_LARGE',
  414: 'URI_TOO_LONG',
  415: 'UNSUPPORTED_MEDIA_TYPE',
  429: 'TOO_MANY_REQUESTS',
  431: 'HEADERS_TOO_LARGE',
  503: 'SERVICE_UNAVAILABLE',
};

/** Fastify's own refusals (before a route runs), by Fastify error code. */
const FASTIFY_CODES: Record<string, string> = {
  FST_ERR_CTP_INVALID_JSON_BODY: 'MALFORMED_JSON',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'MALFORMED_JSON',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'UNSUPPORTED_MEDIA_TYPE',
  FST_ERR_CTP_BODY_TOO_LARGE: 'BODY_TOO_LARGE',
};

export function problem(
  status: number,
  code: string,
  detail: string,
  extensions: Record<string, unknown> = {},
): Problem {
  const exception = EPCIS_EXCEPTIONS[code as ApiProblemCode];
  if (exception !== undefined) {
    return { type: `epcisException:${exception}`, title: exception, status, detail, code, ...extensions };
  }
  return {
    type: `urn:tracelode:problem:${code.toLowerCase().replace(/_/g, '-')}`,
    title: code
      .toLowerCase()
      .split('_')
      .map((word, i) => (i === 0 ? word[0]?.toUpperCase() + word.slice(1) : word))
      .join(' '),
    status,
    detail,
    code,
    ...extensions,
  };
}

const logger = new Logger('Problem');

/** Maps any error to a problem document: domain refusals by kind, validation to 400, the rest to 500. */
export function toProblem(error: unknown): Problem {
  if (error instanceof UnauthenticatedError) return problem(401, error.code, error.message);
  if (error instanceof DomainError) {
    const details = Object.keys(error.details).length ? { details: error.details } : {};
    return problem(STATUS_OF_KIND[error.kind], error.code, error.message, details);
  }
  if (error instanceof EventStoreUnavailableError) return storeUnavailable(error);
  if (error instanceof HttpException) {
    const status = error.getStatus();
    const body = error.getResponse();
    const fields = typeof body === 'object' && body !== null ? (body as Record<string, unknown>) : {};
    const code = typeof fields.code === 'string' ? fields.code : (CODE_OF_STATUS[status] ?? `HTTP_${status}`);
    const detail = typeof fields.message === 'string' ? fields.message : error.message;
    const extensions = {
      ...(Array.isArray(fields.errors) ? { errors: fields.errors } : {}),
      ...(Array.isArray(fields.violations) ? { violations: fields.violations } : {}),
      ...(typeof fields.index === 'number' ? { index: fields.index } : {}),
      ...(typeof fields.retryAfterSeconds === 'number'
        ? { retryAfterSeconds: fields.retryAfterSeconds }
        : {}),
      ...(typeof fields.maxEvents === 'number' ? { maxEvents: fields.maxEvents } : {}),
      ...(typeof fields.maxNodes === 'number' ? { maxNodes: fields.maxNodes } : {}),
      ...(typeof fields.streamedMaxEvents === 'number'
        ? { streamedMaxEvents: fields.streamedMaxEvents }
        : {}),
    };
    return problem(status, code, detail, extensions);
  }
  const fastify = error as { code?: string; statusCode?: number; message?: string };
  if (typeof fastify.statusCode === 'number' && fastify.statusCode >= 400 && fastify.statusCode < 500) {
    const code = FASTIFY_CODES[fastify.code ?? ''] ?? CODE_OF_STATUS[fastify.statusCode] ?? 'BAD_REQUEST';
    return problem(fastify.statusCode, code, fastify.message ?? 'The request was refused');
  }
  logger.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
  return problem(500, 'INTERNAL_ERROR', 'The ledger failed to handle the request; nothing was acknowledged');
}

/** How long a client is told to wait before retrying a command the store could not take. */
export const STORE_RETRY_AFTER_SECONDS = 1;

/**
 * The store could not write (disk full, file read-only, I/O error, the write lock held elsewhere) or is
 * closed: the command's whole group commit was rolled back, so nothing of it was written and a retry is
 * safe. Logged as an error every time: an operator alerts on it (README, "What to alert on").
 */
function storeUnavailable(error: EventStoreUnavailableError): Problem {
  logger.error(`STORE_UNAVAILABLE: ${error.message}`);
  return problem(
    503,
    'STORE_UNAVAILABLE',
    'The event store cannot take writes right now; nothing of this command was written. Retry later.',
    { retryAfterSeconds: STORE_RETRY_AFTER_SECONDS },
  );
}

export function sendProblem(reply: FastifyReply, request: FastifyRequest, found: Problem): void {
  const headers: Record<string, string> = { 'content-type': 'application/problem+json' };
  if (typeof found.retryAfterSeconds === 'number') headers['retry-after'] = String(found.retryAfterSeconds);
  void reply
    .status(found.status)
    .headers(headers)
    .send({ ...found, instance: request.url.split('?')[0] });
}

@Catch()
export class ProblemDetailsFilter implements ExceptionFilter {
  catch(error: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    sendProblem(http.getResponse<FastifyReply>(), http.getRequest<FastifyRequest>(), toProblem(error));
  }
}

/** The ValidationPipe's refusal: every field that failed, with its messages. */
export function validationProblem(errors: ValidationError[]): BadRequestException {
  const flat = flatten(errors);
  return new BadRequestException({
    code: 'VALIDATION_FAILED',
    message: flat.map((e) => e.messages.join('; ')).join('; ') || 'The request body is not valid',
    errors: flat,
  });
}

function flatten(errors: ValidationError[], parent = ''): { field: string; messages: string[] }[] {
  return errors.flatMap((error) => {
    const field = parent ? `${parent}.${error.property}` : error.property;
    const own = error.constraints ? [{ field, messages: Object.values(error.constraints) }] : [];
    return [...own, ...flatten(error.children ?? [], field)];
  });
}
