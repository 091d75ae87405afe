import Fastify from 'fastify';

/**
 * The bench's HTTP ceiling (`tracelode bench`; issue 14 measures the ledger as a share of it): a bare Fastify server with one POST handler that
 * parses the JSON body and answers 201 with a small JSON body, nothing else. Run as its own process by
 * the bench, like the ledger's server, so both are measured under the same autocannon load on the same
 * machine in the same run; the ledger's commands/s divided by this one's requests/s is the ratio the
 * bench reports. It prints its address on stdout the way the ledger does.
 */
async function main(): Promise<void> {
  const app = Fastify({ bodyLimit: 1024 * 1024 });
  app.post('/batches/mined', (request, reply) => {
    const body = request.body as { batchId?: unknown };
    return reply.code(201).send({ batchId: body.batchId, position: '0' });
  });
  app.get('/health', (_request, reply) => reply.send({ status: 'ok' }));
  const url = await app.listen({ port: 0, host: '127.0.0.1' });
  process.stdout.write(`Tracelode ledger on ${url} (bare Fastify ceiling)\n`);
  const stop = () => void app.close().then(() => process.exit(0));
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
