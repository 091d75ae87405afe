import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { IncomingMessage, Server } from 'node:http';
import type { Socket } from 'node:net';
import type { AuthenticatedRequest } from '../auth/api-key.guard';

/** What the request log and the metrics say about one request, besides its method, path and latency. */
export interface RequestFacts {
  /** The route's pattern (`/batches/:batchId/shipments`), never the raw URL; `unmatched` for no route. */
  readonly route: string;
  /** The organisation of the key the request authenticated with, when it had one the ledger knows. */
  readonly org?: string;
  readonly keyId?: string;
  /** The command the route runs (`ShipBatch`), for command routes. */
  readonly commandType?: string;
  /** The problem's `code` when refused or failed, `ok` otherwise. */
  readonly outcome: string;
}

/** `POST /batches/:batchId/shipments` → `ShipBatch`: filled once the routes are known (command-routes.ts). */
export const COMMAND_TYPES = new Map<string, string>();

export const routeKey = (method: string, pattern: string) =>
  `${method.toUpperCase()} /${pattern.split('/').filter(Boolean).join('/')}`;

const fastifyRequestOf = new WeakMap<IncomingMessage, AuthenticatedRequest>();
const problemCodeOf = new WeakMap<IncomingMessage, string>();
/** When each request arrived (performance.now()), for one whose client goes before it is answered. */
const arrivedAt = new WeakMap<IncomingMessage, number>();
/** Requests already logged and counted: each once, answered or abandoned, whichever comes first. */
const described = new WeakSet<IncomingMessage>();
/** The requests of each connection not yet described: those left when it closes were abandoned. */
const undescribedOn = new WeakMap<Socket, Set<FastifyRequest>>();

/** How an unanswered request is described when its connection closes: its status and outcome. */
interface Ending {
  readonly status: number;
  readonly outcome: string;
}
/** The client closed the connection first: nginx's 499. */
const CLIENT_GONE: Ending = { status: 499, outcome: 'CLIENT_CLOSED_REQUEST' };
/**
 * Requests whose handler has started, with the status it answered once it has (`NOT_ANSWERED` until
 * then): a command among them whose client goes may still be decided and committed, and one whose
 * connection's close is seen only after its answer (its client's reset taken just before the answer,
 * which then has nowhere to go and never finishes) has nothing left to wait for.
 */
const handled = new WeakMap<IncomingMessage, number>();
const NOT_ANSWERED = 0;
/**
 * How long a command whose client went is waited for before it is described as never answered: far beyond
 * any command's own bounds (the store's busy time-out, a KurrentDB deadline), so only a handler that hangs
 * meets it.
 */
const ABANDONED_COMMAND_WAIT_MS = 60_000;
/** Connections the server closed itself (a time-out, a malformed request, a shutdown), and why. */
const closedByServer = new WeakMap<Socket, Ending>();
/** Servers whose every connection is being cut (a shutdown), and how their unanswered requests end. */
const cutOf = new WeakMap<Server, Ending>();

/**
 * Notes that the server itself closes `socket`: its requests not yet answered are described with `status`
 * and `outcome`, not as abandoned by their client (the first reason given stands).
 */
export function closedByTheServer(socket: Socket, status: number, outcome: string): void {
  if (!closedByServer.has(socket)) closedByServer.set(socket, { status, outcome });
}

/**
 * Closes every connection of `server` (a shutdown's last step): the requests still unanswered on them are
 * described with `status` and `outcome`.
 */
export function cutEveryConnection(server: Server, status: number, outcome: string): void {
  // Every connection closes in this call, so any close from now on is the cut's.
  cutOf.set(server, { status, outcome });
  server.closeAllConnections();
}

/**
 * Links each raw request to Fastify's (pino-http sees only the raw one) and notes a problem's `code` as
 * its body is sent. Registered before any other hook, so even requests refused at the edge are described.
 */
export function observeRequests(
  fastify: FastifyInstance,
  answered: (request: FastifyRequest, status: number, seconds: number, facts: RequestFacts) => void,
  { abandonedCommandWaitMs = ABANDONED_COMMAND_WAIT_MS } = {},
): void {
  /**
   * Commands whose client went while their handler ran, described when it answers (to nobody), each with
   * the timer that describes it if its handler never answers; those left when the server closes.
   */
  const waitingForAnswers = new Map<FastifyRequest, NodeJS.Timeout>();
  const describe = (request: FastifyRequest, status: number, seconds: number, facts: RequestFacts) => {
    if (described.has(request.raw)) return;
    described.add(request.raw);
    clearTimeout(waitingForAnswers.get(request));
    waitingForAnswers.delete(request);
    undescribedOn.get(request.raw.socket)?.delete(request);
    answered(request, status, seconds, facts);
  };
  // A request whose client closed the connection before its answer was sent has no onResponse: it is
  // described when its connection closes, as nginx's 499. Not Fastify's onRequestAbort: that runs only
  // while the request's body is still unread (IncomingMessage.aborted), so never for a command whose body
  // had arrived, nor for a request queued behind another on the same connection.
  const sinceArrival = (request: FastifyRequest) =>
    (performance.now() - (arrivedAt.get(request.raw) ?? performance.now())) / 1000;
  const describeEnding = (request: FastifyRequest, { status, outcome }: Ending) =>
    describe(request, status, sinceArrival(request), { ...requestFactsOf(request.raw, status), outcome });
  const answeredToNobody = (request: FastifyRequest, answeredStatus: number) =>
    describe(request, CLIENT_GONE.status, sinceArrival(request), requestFactsOf(request.raw, answeredStatus));
  const abandoned = (request: FastifyRequest) => {
    const closedBy = closedByServer.get(request.raw.socket) ?? cutOf.get(fastify.server);
    const answeredStatus = handled.get(request.raw);
    if (
      closedBy === undefined &&
      answeredStatus !== undefined &&
      commandTypeOf(request.raw, request.routeOptions.url) !== undefined
    ) {
      // A command already handed to its handler: it is decided, and may be committed, all the same. It is
      // described when its handler answers, with what it answered (`ok` once committed), under 499.
      if (answeredStatus !== NOT_ANSWERED) return answeredToNobody(request, answeredStatus);
      const wait = setTimeout(() => describeEnding(request, CLIENT_GONE), abandonedCommandWaitMs);
      wait.unref();
      waitingForAnswers.set(request, wait);
      return;
    }
    describeEnding(request, closedBy ?? CLIENT_GONE);
  };
  // The process exits soon after the server closes (a shutdown): a command still waited for is described
  // now, as never answered, rather than never (its timer does not hold the process).
  fastify.addHook('onClose', (_instance, done) => {
    for (const request of [...waitingForAnswers.keys()]) describeEnding(request, CLIENT_GONE);
    done();
  });
  fastify.addHook('onRequest', (request, reply, done) => {
    fastifyRequestOf.set(request.raw, request);
    arrivedAt.set(request.raw, performance.now());
    // One listener per connection, not per request (keep-alive connections carry many).
    const socket = request.raw.socket;
    let undescribed = undescribedOn.get(socket);
    if (undescribed === undefined) {
      const pending = new Set<FastifyRequest>();
      undescribedOn.set(socket, pending);
      socket.once('close', () => {
        for (const left of [...pending]) abandoned(left);
      });
      // Idle past the connection time-out (Node then destroys it): a request still arriving was too slow,
      // one that had arrived whole was not answered in time.
      socket.on('timeout', () => {
        const waiting = [...pending].some((left) => !left.raw.complete);
        if (waiting) closedByTheServer(socket, 408, 'REQUEST_TIMEOUT');
        else if (pending.size > 0) closedByTheServer(socket, 503, 'CONNECTION_TIMEOUT');
      });
      undescribed = pending;
    }
    undescribed.add(request);
    // Gone already (a hook before this one waited): its close will not be seen again.
    if (socket.closed) setImmediate(() => abandoned(request));
    void reply.header('x-request-id', request.id);
    done();
  });
  fastify.addHook('preHandler', (request, _reply, done) => {
    handled.set(request.raw, NOT_ANSWERED);
    done();
  });
  fastify.addHook('onSend', (request, reply, payload, done) => {
    if (reply.statusCode >= 400 && typeof payload === 'string') {
      const type = String(reply.getHeader('content-type') ?? '');
      if (type.startsWith('application/problem+json')) {
        const code = codeIn(payload);
        if (code !== undefined) problemCodeOf.set(request.raw, code);
      }
    }
    if (handled.has(request.raw)) handled.set(request.raw, reply.statusCode);
    if (waitingForAnswers.has(request)) answeredToNobody(request, reply.statusCode);
    done(null, payload);
  });
  fastify.addHook('onResponse', (request, reply, done) => {
    describe(request, reply.statusCode, reply.elapsedTime / 1000, replyFactsOf(request, reply));
    done();
  });
}

function codeIn(payload: string): string | undefined {
  try {
    const code = (JSON.parse(payload) as { code?: unknown }).code;
    return typeof code === 'string' ? code : undefined;
  } catch {
    return undefined;
  }
}

/** The facts of a request once answered with `status`. */
export function requestFactsOf(raw: IncomingMessage, status: number): RequestFacts {
  const request = fastifyRequestOf.get(raw);
  const pattern = request?.routeOptions.url;
  const route = pattern === undefined ? 'unmatched' : routeKey('', pattern).slice(1);
  const authenticated =
    request?.actor ??
    (request?.authentication !== undefined && request.authentication !== 'rejected'
      ? request.authentication.actor
      : undefined);
  const commandType = commandTypeOf(raw, pattern);
  const outcome = problemCodeOf.get(raw) ?? (status < 400 ? 'ok' : `HTTP_${status}`);
  return {
    route,
    ...(authenticated ? { org: authenticated.orgId, keyId: authenticated.keyId } : {}),
    ...(commandType !== undefined ? { commandType } : {}),
    outcome,
  };
}

/** The command a request's route runs, if it is a command route. */
const commandTypeOf = (raw: IncomingMessage, pattern: string | undefined): string | undefined =>
  pattern === undefined ? undefined : COMMAND_TYPES.get(routeKey(raw.method ?? '', pattern));

/** The same facts from Fastify's side of a request (the metrics' onResponse hook). */
export function replyFactsOf(request: FastifyRequest, reply: FastifyReply): RequestFacts {
  return requestFactsOf(request.raw, reply.statusCode);
}
