import type { FastifyReply, FastifyRequest, FastifyServerOptions } from 'fastify';
import type { Socket } from 'node:net';
import { closedByTheServer } from '../observability/request-facts';
import { problem, sendProblem } from './problem-details';
import { API_PROBLEMS } from './problem-codes';

/** Ids (ledger and signing key ids) are at most 128 characters. */
const MAX_ID_LENGTH = 128;

/**
 * A path parameter may be any valid id, also with every character percent-encoded (`%41` for `A`):
 * the router measures it as written, so three characters an id character. Longer is URI_TOO_LONG.
 */
export const MAX_PARAM_LENGTH = 3 * MAX_ID_LENGTH;

/**
 * Fastify options for what the router and the HTTP parser refuse before any route or hook runs, so
 * that those refusals are problem+json with a stable code too: a path parameter longer than any id
 * (414 URI_TOO_LONG), a malformed percent-encoding (400 BAD_REQUEST), headers beyond Node's limit
 * (431 HEADERS_TOO_LARGE).
 */
export function httpInputLimits(): Pick<
  FastifyServerOptions,
  'routerOptions' | 'frameworkErrors' | 'clientErrorHandler'
> {
  return {
    routerOptions: { maxParamLength: MAX_PARAM_LENGTH },
    frameworkErrors: (error, request: FastifyRequest, reply: FastifyReply) => {
      const found =
        error.code === 'FST_ERR_MAX_PARAM_LENGTH'
          ? problem(
              API_PROBLEMS.URI_TOO_LONG,
              'URI_TOO_LONG',
              `A path segment is longer than any id (${MAX_ID_LENGTH} characters)`,
            )
          : problem(API_PROBLEMS.BAD_REQUEST, 'BAD_REQUEST', error.message);
      sendProblem(reply, request, found);
    },
    clientErrorHandler: answerClientError,
  };
}

/**
 * The HTTP parser's refusals, before Fastify has a request: written to the socket as problem+json.
 * A client timeout keeps Fastify's own 408 answer.
 */
function answerClientError(error: Error & { code?: string }, socket: Socket): void {
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  if (socket.writable) {
    const found =
      error.code === 'HPE_HEADER_OVERFLOW'
        ? problem(
            API_PROBLEMS.HEADERS_TOO_LARGE,
            'HEADERS_TOO_LARGE',
            'The request line and headers exceed the 16 KiB the ledger reads',
          )
        : error.code === 'ERR_HTTP_REQUEST_TIMEOUT'
          ? undefined
          : problem(API_PROBLEMS.BAD_REQUEST, 'BAD_REQUEST', 'The request is not valid HTTP');
    // A request that had begun (its headers read) is logged with this answer, not as its client's leaving.
    closedByTheServer(socket, found?.status ?? 408, found?.code ?? 'REQUEST_TIMEOUT');
    if (found) {
      const body = JSON.stringify(found);
      socket.write(
        `HTTP/1.1 ${found.status} ${found.status === 431 ? 'Request Header Fields Too Large' : 'Bad Request'}\r\n` +
          `Content-Type: application/problem+json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n` +
          `Connection: close\r\n\r\n${body}`,
      );
    } else {
      const body = '{"error":"Request Timeout","message":"Client Timeout","statusCode":408}';
      socket.write(
        `HTTP/1.1 408 Request Timeout\r\nContent-Length: ${body.length}\r\nContent-Type: application/json\r\n\r\n${body}`,
      );
    }
  }
  socket.destroy(error);
}
