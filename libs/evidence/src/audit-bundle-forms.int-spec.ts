import { SealingEventStore, SqliteEventStore, type StreamWrite } from '@tracelode/event-store';
import { CheckpointSigner, LogNotary, NotarisedLogReader, publicKeyDocument } from '@tracelode/log';
import { LEDGER_PROJECTIONS, Projector } from '@tracelode/projections';
import { ReadModelStore } from '@tracelode/read-models';
import {
  certificateIssued,
  mined,
  organisation,
  shippedAndReceived,
  transformation,
} from '@tracelode/testing';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { assembleAuditBundle, prepareAuditBundle } from './assemble-audit-bundle';
import { auditBundleJson, auditBundleNdjson } from './audit-bundle-forms';
import { isAuditBundleStreamHeader, verifyAuditBundleStream } from './verify-audit-bundle-stream';

/**
 * The two forms of a bundle, made as a read worker makes them: on read-only handles of the files a running
 * notary and projector write, the stream heads signed through a callback.
 */
describe('audit bundle forms, from read-only handles (SQLite files)', () => {
  let dir: string;
  let store: SealingEventStore;
  let views: ReadModelStore;
  let projector: Projector;
  let notary: LogNotary;
  const signer = CheckpointSigner.ephemeral();
  const createdAt = '2026-11-28T12:00:00.000Z';
  let document: string;
  let lines: string[];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tracelode-bundle-forms-'));
    store = new SealingEventStore(SqliteEventStore.open(join(dir, 'ledger.db')));
    views = ReadModelStore.open(join(dir, 'views.db'));
    projector = new Projector(store, views, LEDGER_PROJECTIONS);
    notary = LogNotary.open(store, join(dir, 'integrity.db'), signer, { everyEvents: 1000, everyMs: 60_000 });
    projector.start();
    notary.start();
    const writes: StreamWrite[] = [
      organisation('mineco', ['producer'], [['mt-weld', 'mine']]),
      organisation('refco', ['producer'], [['kuantan', 'processing_plant']]),
      organisation('irma', ['certifier'], []),
      certificateIssued('C-1', 'refco', 'kuantan'),
      mined('M1', 1_000_000, 500),
      mined('M2', 2_000_000, 800),
      ...shippedAndReceived('M1', 1_000_000),
      ...shippedAndReceived('M2', 2_000_000),
    ];
    for (const write of writes) await store.append([write]);
    const { position: head } = await store.append(
      transformation(
        'T1',
        [
          { batchId: 'M1', consumedGrams: 1_000_000, remainingGrams: 0 },
          { batchId: 'M2', consumedGrams: 2_000_000, remainingGrams: 0 },
        ],
        { batchId: 'P1', massGrams: 2_500_000 },
        300,
      ),
    );
    expect(await projector.waitFor(head, 10_000)).toBe(true);
    expect(await notary.waitFor(Number(head), 10_000)).toBe(true);

    const readStore = SqliteEventStore.openReadOnly(join(dir, 'ledger.db'));
    const readViews = ReadModelStore.openReadOnly(join(dir, 'views.db'));
    const readLog = NotarisedLogReader.open(join(dir, 'integrity.db'));
    try {
      const prepare = () =>
        prepareAuditBundle(readStore, readLog, (collection, key) => readViews.get(collection, key), 'P1', {
          checkpoint: notary.checkpointCovering(Number(head))!,
          publicKey: publicKeyDocument(signer.publicKey),
          createdAt,
          signStatement: (name, statement) => Promise.resolve(signer.signStatement(name, statement)),
        });
      document = [...auditBundleJson((await prepare())!, 1024)].join('');
      lines = [...auditBundleNdjson((await prepare())!, 1024)].join('').trimEnd().split('\n');
      await expect(readStore.append([mined('NEW', 1, 1)])).rejects.toThrow(/read-only/);
    } finally {
      await readStore.close();
      readViews.close();
      readLog.close();
    }
  });
  afterAll(async () => {
    await projector.stop();
    await notary.stop();
    views.close();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('writes the one document as the bundle assembled on the notary itself', async () => {
    const assembled = await assembleAuditBundle(store, notary, (c, k) => views.get(c, k), 'P1', {
      now: () => new Date(createdAt),
    });
    expect(JSON.parse(document)).toEqual(JSON.parse(JSON.stringify(assembled)));
    expect(isAuditBundleStreamHeader(document)).toBe(false);
  });

  it('streams a header, one line per event of the document, and a trailer that counts them', () => {
    const events = (JSON.parse(document) as { events: unknown[] }).events;
    expect(isAuditBundleStreamHeader(lines[0]!)).toBe(true);
    expect(lines.slice(1, -1).map((line) => (JSON.parse(line) as { event: unknown }).event)).toEqual(events);
    expect(JSON.parse(lines.at(-1)!)).toMatchObject({ trailer: { events: events.length } });
  });

  it('verifies the streamed form line by line, with the ledger key', async () => {
    const verdict = await verifyAuditBundleStream(lines, { publicKey: signer.publicKey });
    expect(verdict.failure).toBeUndefined();
    expect(verdict.ok).toBe(true);
    expect(verdict.passed[0]).toMatch(/^stream: a header, \d+ event lines and a trailer/);
  });

  it('names an event line altered in transit', async () => {
    const tampered = [...lines];
    const at = tampered.findIndex((line) => line.includes('"BatchMined"'));
    const line = JSON.parse(tampered[at]!) as { event: { eventId: string; data: { massGrams: number } } };
    line.event.data.massGrams = 999;
    tampered[at] = JSON.stringify(line);
    const verdict = await verifyAuditBundleStream(tampered, { publicKey: signer.publicKey });
    expect(verdict.ok).toBe(false);
    expect(verdict.failure).toMatchObject({ check: 'events', eventId: line.event.eventId });
  });

  it('refuses a stream cut short, one with lines after its trailer, and a trailer that miscounts', async () => {
    const cut = await verifyAuditBundleStream(lines.slice(0, -2));
    expect(cut.failure).toMatchObject({
      check: 'format',
      message: expect.stringContaining('without its trailer'),
    });
    const after = await verifyAuditBundleStream([...lines, lines[1]!]);
    expect(after.failure).toMatchObject({
      check: 'format',
      message: expect.stringContaining('follows the trailer'),
    });
    const dropped = await verifyAuditBundleStream([...lines.slice(0, 1), ...lines.slice(2)]);
    expect(dropped.failure).toMatchObject({ check: 'format', message: expect.stringContaining('counts') });
    const notJson = await verifyAuditBundleStream([lines[0]!, '{not json']);
    expect(notJson.failure).toMatchObject({ check: 'format', message: expect.stringContaining('Line 2') });
  });
});
