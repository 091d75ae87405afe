import { type CanActivate, type ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { signaturesRequired } from '@tracelode/domain';
import { parseSignedRequest, verifySignedRequest } from '@tracelode/request-signatures';
import { LedgerStreams } from '../ledger/ledger-streams';
import { type AuthenticatedRequest, PUBLIC, UnauthenticatedError } from './api-key.guard';
import { ADMIN_ACTOR } from './auth.service';

/** Methods that change nothing, so need no signature. */
const QUERY_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * Once an organisation has registered a signing key, each command it sends must carry an RFC 9421
 * signature by one of its active keys over method, path and the Content-Digest of the raw body. The keys
 * come from the organisation's stream (as authentication just read it), not from the views, which may
 * lag just after a key is registered. A verified signature is left on the request for the command's event envelopes.
 * Runs after ApiKeyGuard (registered after it), so the actor is known.
 */
@Injectable()
export class SignatureGuard implements CanActivate {
  constructor(
    private readonly streams: LedgerStreams,
    private readonly reflector: Reflector,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (this.reflector.getAllAndOverride<boolean>(PUBLIC, [context.getHandler(), context.getClass()]))
      return true;
    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    if (QUERY_METHODS.has(request.method)) return true;
    const actor = request.actor;
    if (!actor) throw new Error('SignatureGuard ran before ApiKeyGuard');
    if (actor === ADMIN_ACTOR) return true; // the ledger's own token belongs to no organisation
    const organisation =
      request.organisation ?? (await this.streams.load('organisations', actor.orgId)).state;
    if (!organisation.exists || !signaturesRequired(organisation)) return true;
    const parsed = parseSignedRequest({
      method: request.method,
      path: request.url,
      headers: request.headers,
      body: request.rawBody ?? Buffer.alloc(0),
    });
    const active = [...organisation.signingKeys.values()].filter((key) => key.revokedAt === undefined);
    if (!parsed.ok) {
      const hint = active.length
        ? ''
        : ` (every signing key of ${actor.orgId} is revoked: an admin must register a new one)`;
      throw new UnauthenticatedError(parsed.code, parsed.message + hint);
    }
    const { keyId } = parsed.signed;
    const key = organisation.signingKeys.get(keyId);
    if (!key)
      throw new UnauthenticatedError('SIGNATURE_KEY_UNKNOWN', `${actor.orgId} has no signing key "${keyId}"`);
    if (key.revokedAt !== undefined) {
      throw new UnauthenticatedError(
        'SIGNATURE_KEY_REVOKED',
        `Signing key "${keyId}" of ${actor.orgId} was revoked at ${key.revokedAt}`,
      );
    }
    const verified = verifySignedRequest(parsed.signed, key.publicKey, {
      now: Math.floor(Date.now() / 1000),
    });
    if (!verified.ok) throw new UnauthenticatedError(verified.code, verified.message);
    request.signedRequest = parsed.signed;
    return true;
  }
}
