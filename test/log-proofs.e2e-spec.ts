import { eventHash } from '@tracelode/event-store';
import { type AuditBundle, verifyAuditBundle } from '@tracelode/evidence';
import {
  importLedgerKey,
  leafHash,
  type PublicKeyDocument,
  type SignedCheckpoint,
  verifyCheckpoint,
  verifyConsistency,
  verifyInclusion,
} from '@tracelode/log';
import { expectRefusal } from './support/expect-refusal';
import { LedgerHarness, minedBatch, shipment, standardParties } from './support/ledger-harness';

interface StoredEventDto {
  position: string;
  stream: string;
  revision: string;
  eventId: string;
  type: string;
  data: Record<string, unknown>;
  metadata: Record<string, unknown>;
}

const hex = (hashes: readonly string[]) => hashes.map((hash) => Buffer.from(hash, 'hex'));

/** The verifiable log over HTTP: hashes on every event, signed checkpoints, RFC 9162 proofs, views as of a moment. */
describe('the verifiable log', () => {
  let ledger: LedgerHarness;
  let parties: Awaited<ReturnType<typeof standardParties>>;
  let key: ReturnType<typeof importLedgerKey>;

  beforeAll(async () => {
    ledger = await LedgerHarness.start({
      TRACELODE_CHECKPOINT_EVERY: '1000',
      TRACELODE_CHECKPOINT_SECONDS: '1',
    });
    await expectRefusal(await ledger.request('GET', '/log/checkpoint'), 404, 'NO_CHECKPOINT');
    parties = await standardParties(ledger);
    key = importLedgerKey((await ledger.request<PublicKeyDocument>('GET', '/log/public-key')).body);
  });

  afterAll(async () => {
    await ledger?.stop();
  });

  /** Waits for a signed checkpoint covering the log's head (the ledger signs every second here). */
  async function checkpointAtHead(): Promise<SignedCheckpoint> {
    const head = await ledger.eventCount();
    for (let attempt = 0; attempt < 50; attempt++) {
      const reply = await ledger.request<SignedCheckpoint>('GET', '/log/checkpoint');
      if (reply.status === 200 && reply.body.treeSize >= head) return reply.body;
      await new Promise((done) => setTimeout(done, 100));
    }
    throw new Error(`no checkpoint reached ${head}`);
  }

  async function events(batchId: string): Promise<StoredEventDto[]> {
    return (await ledger.get<StoredEventDto[]>(`/batches/${batchId}/events`, parties.regulator)).body;
  }

  it('chains every event of a stream by hash, as ADR 0012 defines it', async () => {
    expect((await ledger.post('/batches/mined', parties.miner, minedBatch('LOG-1'))).status).toBe(201);
    expect((await ledger.post('/batches/LOG-1/shipments', parties.miner, shipment('S-LOG-1'))).status).toBe(
      201,
    );
    const [mined, shipped] = await events('LOG-1');
    expect(mined!.metadata.prevHash).toBeNull();
    expect(shipped!.metadata.prevHash).toBe(mined!.metadata.hash);
    for (const event of [mined!, shipped!]) {
      const stored = {
        ...event,
        position: BigInt(event.position),
        revision: BigInt(event.revision),
        recordedAt: '',
      };
      expect(eventHash(stored, event.metadata.prevHash as string | null)).toBe(event.metadata.hash);
    }
  });

  it('signs checkpoints that verify with the published key, and proves a later one extends an earlier one', async () => {
    const first = await checkpointAtHead();
    expect(verifyCheckpoint(first, key)).toBe(true);
    expect((await ledger.post('/batches/mined', parties.miner, minedBatch('LOG-2'))).status).toBe(201);
    const second = await checkpointAtHead();
    expect(second.treeSize).toBeGreaterThan(first.treeSize);

    const reply = await ledger.request<{ proof: string[]; fromRootHash: string; toRootHash: string }>(
      'GET',
      `/log/proofs/consistency?from=${first.treeSize}&to=${second.treeSize}`,
    );
    expect(reply.status).toBe(200);
    expect(reply.body.fromRootHash).toBe(first.rootHash);
    expect(reply.body.toRootHash).toBe(second.rootHash);
    const [root1, root2] = [Buffer.from(first.rootHash, 'hex'), Buffer.from(second.rootHash, 'hex')];
    const proof = hex(reply.body.proof);
    expect(verifyConsistency(first.treeSize, second.treeSize, proof, root1, root2)).toBe(true);
    expect(verifyConsistency(first.treeSize, second.treeSize, proof, root2, root1)).toBe(false);

    const listed = await ledger.request<SignedCheckpoint[]>('GET', `/log/checkpoints?from=${first.treeSize}`);
    expect(listed.body.map((checkpoint) => checkpoint.treeSize)).toContain(second.treeSize);
    expect(listed.body.every((checkpoint) => verifyCheckpoint(checkpoint, key))).toBe(true);
  });

  it('proves an event is in the signed tree', async () => {
    const checkpoint = await checkpointAtHead();
    const [mined] = await events('LOG-1');
    const reply = await ledger.request<{
      position: number;
      eventHash: string;
      proof: string[];
      checkpoint: unknown;
    }>('GET', `/log/proofs/inclusion?eventId=${mined!.eventId}&treeSize=${checkpoint.treeSize}`);
    expect(reply.status).toBe(200);
    expect(reply.body.eventHash).toBe(mined!.metadata.hash);
    expect(reply.body.checkpoint).toEqual(checkpoint);
    const leaf = leafHash(Buffer.from(mined!.metadata.hash as string, 'hex'));
    const root = Buffer.from(checkpoint.rootHash, 'hex');
    expect(
      verifyInclusion(leaf, Number(mined!.position) - 1, checkpoint.treeSize, hex(reply.body.proof), root),
    ).toBe(true);
    expect(
      verifyInclusion(leaf, Number(mined!.position), checkpoint.treeSize, hex(reply.body.proof), root),
    ).toBe(false);
  });

  it.each([
    ['/log/proofs/inclusion?eventId=no-such-event&treeSize=1', 404, 'EVENT_NOT_FOUND'],
    ['/log/proofs/inclusion?treeSize=1', 400, 'INVALID_EVENT_ID'],
    ['/log/proofs/inclusion?eventId=x&treeSize=0', 400, 'INVALID_TREE_SIZE'],
    ['/log/proofs/inclusion?eventId=x&treeSize=99999', 422, 'TREE_SIZE_BEYOND_LOG'],
    ['/log/proofs/consistency?from=3&to=2', 400, 'INVALID_TREE_SIZE'],
    ['/log/proofs/consistency?from=abc', 400, 'INVALID_TREE_SIZE'],
    ['/log/proofs/consistency', 400, 'INVALID_TREE_SIZE'],
    ['/log/checkpoints?limit=5000', 400, 'INVALID_LIMIT'],
  ])('GET %s → %i %s', async (path, status, code) => {
    const reply = await ledger.request('GET', path);
    expect(reply.status).toBe(status);
    expect(reply.body).toMatchObject({ code });
  });

  it('refuses an inclusion proof in a tree the event came after', async () => {
    const [first] = await events('LOG-1');
    const later = (await events('LOG-2'))[0]!;
    await expectRefusal(
      await ledger.request(
        'GET',
        `/log/proofs/inclusion?eventId=${later.eventId}&treeSize=${first!.position}`,
      ),
      422,
      'EVENT_NOT_IN_TREE',
    );
  });

  it('serves every batch view as of a position or a time, as the ledger knew it then', async () => {
    const [mined, shipped] = await events('LOG-1');
    const before = await ledger.get<{ status: string }>(
      `/batches/LOG-1?atPosition=${mined!.position}`,
      parties.miner,
    );
    expect(before.status).toBe(200);
    expect(before.body.status).toBe('in_custody');
    const after = await ledger.get<{ status: string }>(
      `/batches/LOG-1?atPosition=${shipped!.position}`,
      parties.miner,
    );
    expect(after.body.status).toBe('in_transit');
    const live = await ledger.get(`/batches/LOG-1`, parties.miner);
    const now = await ledger.get(
      `/batches/LOG-1?asOf=${encodeURIComponent(new Date().toISOString())}`,
      parties.miner,
    );
    expect(now.body).toEqual(live.body);
    for (const view of ['provenance', 'carbon', 'certification', 'footprint']) {
      const asOfNow = await ledger.get(
        `/batches/LOG-1/${view}?atPosition=${await ledger.eventCount()}`,
        parties.miner,
      );
      const liveView = await ledger.get(`/batches/LOG-1/${view}`, parties.miner);
      expect([view, asOfNow.status]).toEqual([view, 200]);
      if (view !== 'footprint') expect(asOfNow.body).toEqual(liveView.body); // a footprint is stamped when made
    }
    const impact = await ledger.get(`/holds/LOG-1/impact?atPosition=${mined!.position}`, parties.regulator);
    expect(impact.status).toBe(200);
    await expectRefusal(
      await ledger.get(`/batches/LOG-1?asOf=2020-01-01T00:00:00Z`, parties.miner),
      404,
      'BATCH_NOT_FOUND',
    );
  });

  it.each([
    ['?asOf=yesterday', 400, 'INVALID_AS_OF'],
    ['?asOf=2026-11-28T12:00:00', 400, 'INVALID_AS_OF'],
    ['?atPosition=-1', 400, 'INVALID_POSITION'],
    ['?atPosition=99999999', 422, 'POSITION_BEYOND_HEAD'],
    ['?atPosition=1&asOf=2026-11-28T12:00:00Z', 400, 'AMBIGUOUS_MOMENT'],
  ])('refuses the moment %s with %i %s', async (query, status, code) => {
    await expectRefusal(await ledger.get(`/batches/LOG-1/provenance${query}`, parties.miner), status, code);
  });

  it('hands out an audit bundle that verifies, to a caller with an API key only', async () => {
    // A regulator of the country it was mined in reads it whole (docs/visibility.md).
    const reply = await ledger.get<AuditBundle>('/batches/LOG-1/audit-bundle', parties.regulator);
    expect(reply.status).toBe(200);
    const verdict = verifyAuditBundle(reply.body, { publicKey: key });
    expect(verdict).toMatchObject({ ok: true, warnings: [] });
    expect(reply.body.events.map((event) => event.stream)).toEqual(
      expect.arrayContaining(['batch-LOG-1', 'org-mineco', 'org-refco']),
    );
    expect((await ledger.request('GET', '/batches/LOG-1/audit-bundle')).status).toBe(401);
    await expectRefusal(
      await ledger.get('/batches/NO-SUCH/audit-bundle', parties.regulator),
      404,
      'BATCH_NOT_FOUND',
    );
  });

  it('hands a lot’s bundle to its miner the moment after the write, not 404 while the views catch up', async () => {
    const refused: string[] = [];
    for (let i = 0; i < 10; i++) {
      expect((await ledger.post('/batches/mined', parties.miner, minedBatch(`LOG-NOW-${i}`))).status).toBe(
        201,
      );
      const reply = await ledger.get(`/batches/LOG-NOW-${i}/audit-bundle`, parties.miner);
      if (reply.status !== 200) refused.push(`LOG-NOW-${i}: ${reply.status} ${JSON.stringify(reply.body)}`);
    }
    expect(refused).toEqual([]);
  });
});
