import {
  type BeforeApplicationShutdown,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyInstance } from 'fastify';
import type { Server } from 'node:http';
import { problem, sendProblem } from '../common/problem-details';
import { cutEveryConnection } from '../observability/request-facts';

/**
 * How long the drain waits for requests still arriving or running before it cuts their connections: a
 * command whose body has arrived is decided and group-committed in milliseconds, so only a client still
 * sending its request is ever cut (it was never acknowledged, so the ledger owes it nothing).
 */
export const DRAIN_MS = 5_000;

/**
 * The HTTP side of a graceful shutdown, first of the shutdown hooks: stops accepting connections (a new
 * one is refused by the OS), closes idle keep-alive connections, answers a request that arrives on a
 * kept-alive connection 503 SERVICE_UNAVAILABLE with `Connection: close`, and waits until every request
 * already in flight has been answered — each command's group commit flushed and acknowledged — with
 * `Connection: close`, so the store, the projector and the notary close only once no command is running
 * (LedgerLifecycle.onApplicationShutdown). Requests still unfinished after DRAIN_MS lose their connection.
 */
@Injectable()
export class HttpDrain implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('Shutdown');
  private draining = false;
  private inFlight = 0;

  constructor(private readonly adapterHost: HttpAdapterHost) {}

  onApplicationBootstrap(): void {
    const fastify = this.adapterHost.httpAdapter.getInstance<FastifyInstance>();
    const refusal = problem(
      503,
      'SERVICE_UNAVAILABLE',
      'The ledger is shutting down; retry on another instance or later',
      {
        retryAfterSeconds: 1,
      },
    );
    fastify.addHook('onRequest', async (request, reply) => {
      if (this.draining) {
        void reply.header('connection', 'close');
        sendProblem(reply, request, refusal);
        return reply;
      }
      this.inFlight += 1;
      reply.raw.once('close', () => (this.inFlight -= 1));
      return undefined;
    });
    fastify.addHook('onSend', async (_request, reply, payload) => {
      if (this.draining) void reply.header('connection', 'close');
      return payload;
    });
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.draining = true;
    const server = this.adapterHost.httpAdapter.getHttpServer() as Server;
    const started = performance.now();
    this.logger.log(`No new connections; finishing ${this.inFlight} request(s) in flight`);
    await new Promise<void>((done) => {
      // Closes the listening socket at once and idle keep-alive connections; calls back when the last
      // connection has ended, i.e. when every request in flight has been answered.
      const closed = server.listening;
      const cut = setTimeout(() => {
        this.logger.warn(`Cutting ${this.inFlight} request(s) still unfinished after ${DRAIN_MS} ms`);
        cutEveryConnection(server, 503, 'CUT_AT_SHUTDOWN');
      }, DRAIN_MS);
      const finish = () => {
        clearTimeout(cut);
        done();
      };
      if (closed) server.close(finish);
      else finish();
      server.closeIdleConnections();
    });
    this.logger.log(`Every request answered in ${Math.round(performance.now() - started)} ms`);
  }
}
