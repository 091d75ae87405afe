import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import fastifyStatic from '@fastify/static';
import { existsSync } from 'node:fs';
import type { IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import { join } from 'node:path';
import { type AuthenticatedRequest, bearerToken, UnauthenticatedError } from './auth/api-key.guard';
import { AuthService } from './auth/auth.service';
import { AppModule } from './app.module';
import { LedgerValidationPipe } from './common/ledger-validation.pipe';
import { ProblemDetailsFilter } from './common/problem-details';
import { withSignatureHeaders } from './common/signature-headers';
import type { ConnectionLimits, LedgerConfig } from './config/ledger-config';
import { apiProblem, problem, sendProblem, toProblem } from './common/problem-details';
import { httpInputLimits } from './common/http-limits';
import { BodyRefusal, parseJsonBody } from './common/json-body';
import { Logger } from 'nestjs-pino';
import { LedgerMetrics } from './observability/ledger-metrics';
import { observeRequests } from './observability/request-facts';
import { logRequest, requestIdOf } from './observability/ledger-logger';
import { ROOT_LOGGER } from './observability/observability.module';
import type { Logger as PinoLogger } from 'pino';

/** The ledger API, configured but not yet listening (tests and the CLI listen where they choose). */
export async function createApp(config: LedgerConfig): Promise<NestFastifyApplication> {
  const adapter = new FastifyAdapter({
    bodyLimit: 1024 * 1024,
    // The client's X-Request-Id if it is a safe one, else a new UUID: in every log line and echoed (ADR 0027).
    genReqId: (request: IncomingMessage) => requestIdOf(request.headers['x-request-id']),
    ...httpInputLimits(), // ids of every valid length in paths; 414 and 431 as problem+json
    ...slowClientTimeouts(config.connections),
  });
  acceptJsonBodiesOnly(adapter);
  capConnectionsPerClient(adapter, config.connections.maxPerClient);
  const app = await NestFactory.create<NestFastifyApplication>(AppModule.forRoot(config), adapter, {
    bufferLogs: true, // until pino takes over, just below: every line of the ledger is JSON (ADR 0027)
    bodyParser: false, // acceptJsonBodiesOnly registers the one parser
  });
  app.useLogger(app.get(Logger));
  const metrics = app.get(LedgerMetrics);
  const logger = app.get<PinoLogger>(ROOT_LOGGER);
  // Before the edge's authentication, so that a request it refuses is still logged and counted.
  observeRequests(adapter.getInstance(), (request, status, seconds, facts) => {
    metrics.requestAnswered(request.method, status, seconds, facts);
    logRequest(logger, request, status, seconds * 1000, facts);
  });
  authenticateBeforeTheBody(adapter, app.get(AuthService));
  app.useGlobalPipes(new LedgerValidationPipe());
  app.useGlobalFilters(new ProblemDetailsFilter());
  // No enableShutdownHooks(): main.ts handles SIGTERM/SIGINT (exit 0 when clean, a hard deadline).
  const openApi = new DocumentBuilder()
    .setTitle('Tracelode ledger API')
    .setDescription(
      'Event-sourced chain of custody for rare earths and critical minerals. Every route but /health needs ' +
        '`Authorization: Bearer <api key>`. Errors are RFC 9457 problem+json with a stable `code`. Once an ' +
        'organisation registers a signing key (POST /orgs/{orgId}/keys), each of its commands must also carry an ' +
        'RFC 9421 signature (Content-Digest, Signature-Input, Signature headers; see `tracelode sign`).',
    )
    .setVersion('0.1.0')
    .addBearerAuth()
    .build();
  await serveExplorer(app);
  SwaggerModule.setup('docs', app, () => withSignatureHeaders(SwaggerModule.createDocument(app, openApi)), {
    jsonDocumentUrl: 'docs/openapi.json',
  });
  return app;
}

/** Where `npm run build` puts the explorer (apps/web): dist/web, beside the API's own dist/apps/api. */
export const WEB_ROOT = join(__dirname, '..', '..', '..', '..', '..', 'web');

/**
 * The explorer (apps/web, ADR 0030) from the same origin at `/`: its files only, each a route of its own
 * (no wildcard), so every API path, `/docs` and `/health` stay the API's and an unknown path is still the
 * API's 404 problem+json. Its deep links are hash routes (`/#/batches/…`), which never reach the server.
 * Without a built explorer (a build of the API alone) the API runs as before.
 */
async function serveExplorer(app: NestFastifyApplication): Promise<void> {
  if (!existsSync(join(WEB_ROOT, 'index.html'))) return;
  await app.register(fastifyStatic, {
    root: WEB_ROOT,
    prefix: '/',
    wildcard: false,
    index: ['index.html'],
    // Hashed asset names never change content; index.html must be revalidated to pick up a new build.
    setHeaders: (response, path) => {
      void response.header(
        'cache-control',
        path.endsWith('index.html') ? 'no-cache' : 'public, max-age=31536000, immutable',
      );
    },
  });
}

const UTF8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/**
 * Commands are JSON: any other media type is refused with 415 before a route runs, and a body that is
 * not valid JSON (or not UTF-8, which JSON must be) gets the stable code MALFORMED_JSON rather than the
 * parser's message alone; its depth, numbers and keys are bounded by `parseJsonBody`. The raw bytes stay
 * on the request for signature checks. JSON-LD (`application/ld+json`, EPCIS capture) is JSON to the parser.
 */
function acceptJsonBodiesOnly(adapter: FastifyAdapter): void {
  const fastify = adapter.getInstance();
  fastify.removeAllContentTypeParsers();
  fastify.addContentTypeParser(
    ['application/json', 'application/ld+json'],
    { parseAs: 'buffer' },
    (request, body, done) => {
      try {
        const raw = body as Buffer;
        (request as AuthenticatedRequest).rawBody = raw;
        const text = UTF8.decode(raw);
        done(null, text === '' ? undefined : parseJsonBody(text));
      } catch (error) {
        if (error instanceof BodyRefusal) return done(apiProblem(error.code, error.message), undefined);
        done(
          apiProblem('MALFORMED_JSON', `The body is not valid JSON: ${(error as Error).message}`),
          undefined,
        );
      }
    },
  );
}

/**
 * A request must arrive whole within `requestTimeoutMs` and a connection may idle `connectionTimeoutMs`:
 * a client trickling a body is cut off rather than holding its buffer for as long as it likes. Node checks
 * the request timeout every `connectionsCheckingInterval`, so that runs at a tenth of it (at most 1 s).
 */
function slowClientTimeouts(limits: ConnectionLimits) {
  const checkEveryMs = Math.max(100, Math.min(1000, Math.floor(limits.requestTimeoutMs / 10)));
  return {
    requestTimeout: limits.requestTimeoutMs,
    connectionTimeout: limits.connectionTimeoutMs,
    http: {
      connectionsCheckingInterval: checkEveryMs,
      headersTimeout: Math.min(limits.requestTimeoutMs, 60_000),
    },
  };
}

/**
 * At most `maxPerClient` open connections per client address: one more is answered 429 problem+json
 * and closed before anything is read from it.
 */
function capConnectionsPerClient(adapter: FastifyAdapter, maxPerClient: number): void {
  const open = new Map<string, number>();
  const body = JSON.stringify(
    problem(429, 'TOO_MANY_REQUESTS', `At most ${maxPerClient} open connections per client address`, {
      retryAfterSeconds: 1,
    }),
  );
  const refusal =
    'HTTP/1.1 429 Too Many Requests\r\ncontent-type: application/problem+json\r\nretry-after: 1\r\n' +
    `connection: close\r\ncontent-length: ${Buffer.byteLength(body)}\r\n\r\n${body}`;
  adapter.getInstance().server.on('connection', (socket: Socket) => {
    const address = socket.remoteAddress ?? '';
    const count = (open.get(address) ?? 0) + 1;
    if (count > maxPerClient) {
      socket.end(refusal);
      return;
    }
    open.set(address, count);
    socket.once('close', () => {
      const left = (open.get(address) ?? 1) - 1;
      if (left === 0) open.delete(address);
      else open.set(address, left);
    });
  });
}

/**
 * The API key is checked when the request's head has arrived, before its body is read: a command without
 * a usable key is refused (401, the codes the ApiKeyGuard uses) and its connection closed without
 * buffering the body. A request with a key is authenticated here, once; the guard then only looks at the
 * result (and refuses a rejected key on routes that are not public). Requests without a body and
 * without a key are left to the guard, which knows which routes are public.
 */
function authenticateBeforeTheBody(adapter: FastifyAdapter, auth: AuthService): void {
  adapter.getInstance().addHook('onRequest', async (request, reply) => {
    const authenticated = request as AuthenticatedRequest;
    const token = bearerToken(request.headers.authorization);
    const hasBody =
      request.headers['transfer-encoding'] !== undefined ||
      Number(request.headers['content-length'] ?? 0) > 0;
    const refuse = (error: UnauthenticatedError) => {
      void reply.header('connection', 'close');
      sendProblem(reply, request, toProblem(error));
      return reply;
    };
    if (token === undefined) {
      if (hasBody && request.routeOptions.url !== undefined) {
        return refuse(
          new UnauthenticatedError(
            'MISSING_API_KEY',
            'Send your API key as "Authorization: Bearer <api key>"',
          ),
        );
      }
      return;
    }
    const found = await auth.resolve(token);
    authenticated.authentication = found ?? 'rejected';
    if (!found && hasBody && request.routeOptions.url !== undefined) {
      return refuse(new UnauthenticatedError('INVALID_API_KEY', 'The API key is not known to this ledger'));
    }
  });
}
