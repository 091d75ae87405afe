import { newEventId, openEventStore, SealingEventStore, sqliteFileOf } from '@tracelode/event-store';
import Fastify from 'fastify';
import { randomUUID } from 'node:crypto';

/**
 * The bench's durable floor (`tracelode bench`, issue 14): a bare Fastify POST handler that does only what
 * makes a command durable and verifiable — its event sealed into its stream's hash chain (a salted digest
 * per field, ADR 0022) and appended through the ledger's own SQLite store, group-committed with fsync —
 * and answers 201 once the commit is on disk. No Nest, authentication, validation, decision, idempotency,
 * views or notary. Under the same load as the ceiling and the ledger, in the same run: how far below the
 * ceiling durability alone sits on this machine. Run as its own process, like the others; its store is
 * `TRACELODE_STORE`, so the bench can count its events against the 201s it received.
 */
async function main(): Promise<void> {
  const url = process.env.TRACELODE_STORE ?? '';
  if (sqliteFileOf(url) === undefined)
    throw new Error('The floor server needs TRACELODE_STORE=sqlite:<file>');
  // Where the ledger's writer runs, as the ledger reads it (TRACELODE_WRITER, ADR 0037).
  const writer = process.env.TRACELODE_WRITER === 'worker' ? 'worker' : 'thread';
  const store = new SealingEventStore(await openEventStore(url, { sqliteWriter: writer }));
  const app = Fastify({ bodyLimit: 1024 * 1024 });
  app.post('/batches/mined', async (request, reply) => {
    const body = request.body as Record<string, unknown> & { batchId: string };
    const commandId = randomUUID();
    const recordedAt = new Date().toISOString();
    const { position } = await store.append([
      {
        stream: `batch-${body.batchId}`,
        expectedRevision: 'no_stream',
        events: [
          {
            eventId: newEventId(),
            type: 'BatchMined',
            data: { ...body, orgId: 'bench-mineco', country: 'AU' },
            metadata: {
              commandId,
              commandType: 'MineBatch',
              actor: { orgId: 'bench-mineco', keyId: 'bench', roles: ['producer'] },
              recordedAt,
              correlationId: commandId,
              causationId: commandId,
              occurredAt: body.occurredAt,
              schemaVersion: 2,
            },
          },
        ],
      },
    ]);
    return reply.code(201).send({ batchId: body.batchId, position: position.toString() });
  });
  app.get('/health', (_request, reply) => reply.send({ status: 'ok' }));
  const address = await app.listen({ port: 0, host: '127.0.0.1' });
  process.stdout.write(`Tracelode ledger on ${address} (durable floor)\n`);
  const stop = () =>
    void app
      .close()
      .then(() => store.close())
      .then(() => process.exit(0));
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
