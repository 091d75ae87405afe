import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { LedgerMetrics } from './ledger-metrics';

/**
 * GET /metrics without auth on a port of its own, bound to 127.0.0.1 only (TRACELODE_METRICS_PORT): for a
 * Prometheus agent on the same host, with no admin token to hand it. Anything else there is 404.
 */
export async function startMetricsServer(metrics: LedgerMetrics, port: number): Promise<Server> {
  const server = createServer((request, response) => {
    if (request.method !== 'GET' || request.url?.split('?')[0] !== '/metrics') {
      response.writeHead(404, { 'content-type': 'text/plain' }).end('Not found\n');
      return;
    }
    metrics.text().then(
      (text) => response.writeHead(200, { 'content-type': metrics.contentType }).end(text),
      (error: unknown) => response.writeHead(500, { 'content-type': 'text/plain' }).end(`${String(error)}\n`),
    );
  });
  await new Promise<void>((listening, fail) => {
    server.once('error', fail);
    server.listen(port, '127.0.0.1', listening);
  });
  return server;
}

export function urlOf(server: Server): string {
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/metrics`;
}
