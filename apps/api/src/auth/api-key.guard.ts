import { type CanActivate, type ExecutionContext, Injectable, SetMetadata } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { type Actor, DomainError, type OrganisationState } from '@tracelode/domain';
import type { SignedRequest } from '@tracelode/request-signatures';
import type { FastifyRequest } from 'fastify';
import { type Authenticated, AuthService } from './auth.service';

export const PUBLIC = 'tracelode:public';
/** Marks a route that answers without an API key (health only). */
export const Public = () => SetMetadata(PUBLIC, true);

export type AuthenticatedRequest = FastifyRequest & {
  actor?: Actor;
  /** The actor's organisation as authentication read it from its stream. */
  organisation?: OrganisationState;
  signedRequest?: SignedRequest;
  /** The body's bytes as received: a signed command's Content-Digest is over these. */
  rawBody?: Buffer;
  /** What the edge (the onRequest hook, before the body) found for the request's key, if it had one. */
  authentication?: Authenticated | 'rejected';
};

/** The token of an `Authorization: Bearer <token>` header, or undefined. */
export function bearerToken(header: string | undefined): string | undefined {
  return /^Bearer\s+(\S+)\s*$/i.exec(header ?? '')?.[1] || undefined;
}

/** Every route needs `Authorization: Bearer <api key>` unless marked @Public(). */
@Injectable()
export class ApiKeyGuard implements CanActivate {
  constructor(
    private readonly auth: AuthService,
    private readonly reflector: Reflector,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (this.reflector.getAllAndOverride<boolean>(PUBLIC, [context.getHandler(), context.getClass()]))
      return true;
    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    const token = bearerToken(request.headers.authorization);
    if (token === undefined) {
      throw new UnauthenticatedError(
        'MISSING_API_KEY',
        'Send your API key as "Authorization: Bearer <api key>"',
      );
    }
    // Resolved once, at the edge, when the request's head arrived; resolved here only without the hook.
    const edge = request.authentication;
    const authenticated =
      edge === undefined ? await this.auth.resolve(token) : edge === 'rejected' ? undefined : edge;
    if (!authenticated) {
      throw new UnauthenticatedError('INVALID_API_KEY', 'The API key is not known to this ledger');
    }
    request.actor = authenticated.actor;
    request.organisation = authenticated.organisation;
    return true;
  }
}

/** 401: no usable credentials (distinct from the domain's 403 `forbidden`). */
export class UnauthenticatedError extends DomainError {
  constructor(code: string, message: string) {
    super(code, 'forbidden', message);
  }
}
