import type { IncomingMessage } from 'node:http';
import { randomUUID } from 'node:crypto';
import pino, { type Logger, type LoggerOptions } from 'pino';
import pinoPretty from 'pino-pretty';
import type { Options as PinoHttpOptions } from 'pino-http';
import type { LedgerConfig } from '../config/ledger-config';
import { requestFactsOf } from './request-facts';

/** TRACELODE_LOG_LEVEL's names (Nest's) as pino levels. */
const PINO_LEVEL: Record<LedgerConfig['logLevel'], pino.Level> = {
  error: 'error',
  warn: 'warn',
  log: 'info',
  debug: 'debug',
};

/**
 * Where a secret could sit in anything logged (a request, an error, a Nest message's context): the
 * credentials headers, and any field named like an API key, a token, a signature or a private key, at
 * the top level or up to three levels down. The request serializer below logs no header at all, so this
 * is the second line of defence (ADR 0027).
 */
const SECRET_FIELDS = [
  'authorization',
  'Authorization',
  'signature',
  'Signature',
  'signature-input',
  'Signature-Input',
  'apiKey',
  'api_key',
  'adminToken',
  'token',
  'privateKey',
  'private_key',
  'secretKey',
  'd', // a JWK's private part
  'pem',
];
export const REDACTED_PATHS = [
  ...SECRET_FIELDS.map((field) => `["${field}"]`),
  ...SECRET_FIELDS.map((field) => `*["${field}"]`),
  ...SECRET_FIELDS.map((field) => `*.*["${field}"]`),
  ...SECRET_FIELDS.map((field) => `*.*.*["${field}"]`),
];

/** The ledger's one root logger: JSON lines on stdout, or pino-pretty's lines when TRACELODE_LOG_PRETTY=1. */
export function createRootLogger(config: Pick<LedgerConfig, 'logLevel' | 'logPretty'>): Logger {
  const options: LoggerOptions = {
    level: PINO_LEVEL[config.logLevel],
    base: { pid: process.pid },
    redact: { paths: REDACTED_PATHS, censor: '[REDACTED]' },
  };
  if (!config.logPretty) return pino(options);
  // In this thread, not a transport worker: pretty printing is for a developer's terminal, not for load.
  return pino(options, pinoPretty({ colorize: process.stdout.isTTY, sync: true }));
}

/** A request id a client may choose: 1 to 128 of letters, digits and `-._:` (safe in any log or header). */
const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** What one request's line says (headers and bodies never). */
function requestLine(request: IncomingMessage, status: number, latencyMs: number | undefined) {
  return {
    method: request.method,
    // The path without its query: a query holds no secret today, but need not be logged to be useful.
    path: (request as { originalUrl?: string }).originalUrl?.split('?')[0] ?? request.url?.split('?')[0],
    status,
    latencyMs,
    ...requestFactsOf(request, status),
  };
}

/** The client's X-Request-Id when it is one we may log and echo; otherwise a new UUID. */
export function requestIdOf(header: string | string[] | undefined): string {
  const given = Array.isArray(header) ? header[0] : header;
  return given !== undefined && REQUEST_ID.test(given) ? given : randomUUID();
}

/**
 * pino-http's options for nestjs-pino: one line per request when its response is finished, with the
 * request id (echoed as X-Request-Id), the route, the organisation, the command type, the outcome (the
 * problem's `code` or `ok`), the status and the latency. Headers and bodies are never logged.
 */
export function requestLogging(logger: Logger): PinoHttpOptions {
  return {
    logger,
    // Fastify's request id (`genReqId` in app.factory.ts), which pino-http finds on the raw request.
    genReqId: (request: IncomingMessage) => (request as { id?: unknown }).id ?? requestIdOf(undefined),
    customAttributeKeys: { reqId: 'requestId' },
    quietReqLogger: true, // app logs inside a request carry only its id…
    quietResLogger: true, // …and so does the request's line, which says the rest itself, flat
    customLogLevel: (_request, response, error) =>
      error !== undefined || response.statusCode >= 500 ? 'error' : 'info',
    customSuccessMessage: () => 'request',
    customErrorMessage: () => 'request',
    customSuccessObject: (request, response, base: { responseTime?: number }) =>
      requestLine(request, response.statusCode, base.responseTime),
    customErrorObject: (request, response, _error, base: { responseTime?: number }) =>
      requestLine(request, response.statusCode, base.responseTime),
  };
}
