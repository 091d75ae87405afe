import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import { canonicalText } from '@tracelode/event-store';
import type { Reader } from '@tracelode/projections';
import { sha256Hex } from '../common/sha256';
import type { CommandMeta } from '../ledger/command-meta';
import type { AuthenticatedRequest } from './api-key.guard';
import { apiProblem } from '../common/problem-details';
import { normalisedPath } from '../common/normalised-path';

/** Idempotency keys and correlation ids: 1 to 255 visible ASCII characters (both are stored in events). */
const VISIBLE_ASCII_ID = /^[\x21-\x7e]{1,255}$/;

/**
 * The command's metadata from the request: the authenticated actor, the ledger's clock, the
 * Idempotency-Key and a hash of method, path (normalised) and canonical body that a retry must match.
 */
export const commandContext = (commandType: string, context: ExecutionContext): CommandMeta => {
  const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
  if (!request.actor) throw new Error('CommandContext used on a route without authentication');
  const idempotencyKey = header(request, 'idempotency-key');
  if (idempotencyKey !== undefined && !VISIBLE_ASCII_ID.test(idempotencyKey)) {
    throw apiProblem('INVALID_IDEMPOTENCY_KEY', 'Idempotency-Key must be 1 to 255 visible ASCII characters');
  }
  const correlationId = header(request, 'x-correlation-id');
  if (correlationId !== undefined && !VISIBLE_ASCII_ID.test(correlationId)) {
    throw apiProblem('INVALID_CORRELATION_ID', 'X-Correlation-Id must be 1 to 255 visible ASCII characters');
  }
  const commandId = randomUUID();
  return {
    commandId,
    commandType,
    actor: request.actor,
    recordedAt: new Date().toISOString(),
    correlationId: correlationId ?? commandId,
    ...(idempotencyKey !== undefined ? { idempotencyKey } : {}),
    ...(request.signedRequest ? { signedRequest: request.signedRequest } : {}),
    requestSha256: sha256Hex(
      `${request.method} ${normalisedPath(request.url)}\n${canonicalText(request.body ?? null)}`,
    ),
  };
};
/** The route's command metadata; its `commandType` also names the route in logs and metrics (command-routes.ts). */
export const CommandContext = createParamDecorator(commandContext);

function header(request: AuthenticatedRequest, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** Who reads: the authenticated actor's organisation and roles, for the view source's policy (docs/visibility.md). */
export const ReaderContext = createParamDecorator((_: unknown, context: ExecutionContext): Reader => {
  const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
  if (!request.actor) throw new Error('ReaderContext used on a route without authentication');
  return { orgId: request.actor.orgId, roles: request.actor.roles };
});

/**
 * Aborted when the client goes (its connection closes) before its answer is sent: a read waiting for a
 * turn among the expensive reads gives its place up (ExpensiveReads).
 */
export const ClientGone = createParamDecorator((_: unknown, context: ExecutionContext): AbortSignal => {
  const response = context.switchToHttp().getResponse<{ raw: ServerResponse }>().raw;
  const gone = new AbortController();
  if (response.destroyed) gone.abort();
  else response.once('close', () => response.writableFinished || gone.abort());
  return gone.signal;
});
