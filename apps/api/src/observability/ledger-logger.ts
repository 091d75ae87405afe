import { randomUUID } from 'node:crypto';
import pino, { type Logger, type LoggerOptions } from 'pino';
import pinoPretty from 'pino-pretty';
import type { LedgerConfig } from '../config/ledger-config';
import type { RequestFacts } from './request-facts';

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

/** The client's X-Request-Id when it is one we may log and echo; otherwise a new UUID. */
export function requestIdOf(header: string | string[] | undefined): string {
  const given = Array.isArray(header) ? header[0] : header;
  return given !== undefined && REQUEST_ID.test(given) ? given : randomUUID();
}

/**
 * One line per answered request, written from Fastify's onResponse hook with the root logger: the request
 * id (echoed as X-Request-Id), method, path (without its query), status, latency, the route, the
 * organisation and key, the command type and the outcome (the problem's `code` or `ok`). Headers and bodies
 * are never logged. Not pino-http: its child logger per request, redacted on creation, and the async
 * context around every request cost the command path more than the line itself (ADR 0027).
 */
export function logRequest(
  logger: Logger,
  request: { id: string; method: string; url: string },
  status: number,
  latencyMs: number,
  facts: RequestFacts,
): void {
  const line = {
    requestId: request.id,
    method: request.method,
    path: request.url.split('?')[0],
    status,
    latencyMs: Math.round(latencyMs),
    ...facts,
  };
  if (status >= 500) logger.error(line, 'request');
  else logger.info(line, 'request');
}
