import { toOrgStreamId } from '@tracelode/domain';
import { isWithheld, SealingEventStore, SqliteEventStore, type StoredEvent } from '@tracelode/event-store';
import {
  assembleAuditBundle,
  type AuditBundle,
  type BundledEvent,
  checkWithheldViews,
  type WithholdSelector,
} from '@tracelode/evidence';
import { CheckpointSigner, LogNotary, publicKeyDocument } from '@tracelode/log';
import { LEDGER_PROJECTIONS, rebuildViews } from '@tracelode/projections';
import { ReadModelStore } from '@tracelode/read-models';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { LedgerHarness } from './support/ledger-harness';

const CLI_MAIN = resolve(__dirname, '../dist/apps/cli/apps/cli/src/main.js');

async function cli(args: string[], env?: NodeJS.ProcessEnv) {
  try {
    const { stdout } = await promisify(execFile)(process.execPath, [CLI_MAIN, ...args], { env });
    return { code: 0, stdout };
  } catch (error) {
    const failed = error as { code?: number; stdout?: string; stderr?: string };
    return { code: failed.code ?? -1, stdout: `${failed.stdout ?? ''}${failed.stderr ?? ''}` };
  }
}

/**
 * The demo chain (`npm run demo`, through the real API), then the magnet maker's bundle for its magnets
 * with a hand-chosen withholding — the trader's identity on its custody-only steps, bills of lading,
 * consignees, shipment references, sibling outputs of a transformation — verified by the built
 * `tracelode verify` beside the full bundle.
 */
describe('the demo magnets’ audit bundle with fields withheld', () => {
  let dir: string;
  let store: SealingEventStore;
  let views: ReadModelStore;
  let notary: LogNotary;
  const signer = CheckpointSigner.ephemeral();
  let events: StoredEvent[];
  let magnets: string;
  let trader: string;
  let full: AuditBundle;
  let withheld: AuditBundle;
  let text: string;
  const file = (name: string, value: unknown) => {
    const path = join(dir, name);
    writeFileSync(path, typeof value === 'string' ? value : JSON.stringify(value));
    return path;
  };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tracelode-withheld-demo-'));
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      TRACELODE_STORE: `sqlite:${join(dir, 'ledger.db')}`,
      TRACELODE_VIEWS: join(dir, 'views.db'),
      TRACELODE_INTEGRITY: join(dir, 'integrity.db'),
    };
    delete env.TRACELODE_ADMIN_TOKEN;
    const demo = await cli(['demo'], env);
    expect(demo.code).toBe(0);
    magnets = /"magnets": "([^"]+)"/.exec(demo.stdout)![1]!;

    // The demo's ledger file, read in this process: views rebuilt, the log notarised by a key of our own.
    store = new SealingEventStore(SqliteEventStore.open(join(dir, 'ledger.db')));
    views = ReadModelStore.open(join(dir, 'test-views.db'));
    await rebuildViews(store, views, LEDGER_PROJECTIONS);
    notary = LogNotary.open(store, join(dir, 'test-integrity.db'), signer, {
      everyEvents: 1_000_000,
      everyMs: 3_600_000,
    });
    notary.start();
    const head = await store.headPosition();
    expect(await notary.waitFor(Number(head), 30_000)).toBe(true);
    events = [];
    for await (const event of store.readAll()) events.push(event);
    trader = events.find(
      (e) => e.type === 'OrganisationRegistered' && String(e.data.orgId).startsWith('straits-metals'),
    )!.data.orgId as string;

    const lookup = (collection: string, key: string) => views.get(collection, key);
    full = JSON.parse(
      JSON.stringify(await assembleAuditBundle(store, notary, lookup, magnets)),
    ) as AuditBundle;
    const ancestors = new Set(
      full.events.filter((e) => e.stream.startsWith('batch-')).map((e) => e.data.batchId),
    );
    const handChosen: WithholdSelector = (event) => {
      const data = event.data as Record<string, unknown>;
      const paths: string[] = [];
      if (event.type === 'BatchShipped') paths.push('data.documents', 'data.toOrgId', 'data.shipmentId');
      if (event.type === 'BatchReceived') paths.push('data.shipmentId');
      if (data.fromOrgId === trader) paths.push('data.fromOrgId');
      if (data.orgId === trader) paths.push('data.orgId');
      if ((event.metadata.actor as { orgId?: string } | undefined)?.orgId === trader)
        paths.push('metadata.actor');
      if (event.type === 'TransformationRecorded') {
        (data.outputs as { batchId: string }[]).forEach(({ batchId }, i) => {
          if (!ancestors.has(batchId) && batchId !== magnets) paths.push(`data.outputs[${i}]`);
        });
      }
      return paths;
    };
    text = JSON.stringify(
      await assembleAuditBundle(store, notary, lookup, magnets, { withhold: handChosen }),
    );
    withheld = JSON.parse(text) as AuditBundle;
  }, 180_000);

  afterAll(async () => {
    await notary?.stop();
    views?.close();
    await store?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('passes the built `tracelode verify`, listing what was withheld per event type, as the full bundle does', async () => {
    const key = file('ledger-key.json', publicKeyDocument(signer.publicKey));
    const shown = await cli(['verify', file('withheld.json', text), '--public-key', key]);
    expect(shown.stdout).toContain('VERIFIED');
    expect(shown.code).toBe(0);
    expect(shown.stdout).toMatch(/✔ withheld: \d+ fields in \d+ events, each committed by its digest/);
    expect(shown.stdout).toMatch(
      /BatchShipped \(\d+\): data\.documents\[\] ×\d+, data\.fromOrgId ×1, data\.shipmentId ×\d+, data\.toOrgId ×\d+, metadata\.actor ×1/,
    );
    expect(shown.stdout).toMatch(/TransformationRecorded \(\d+\): data\.outputs\[\] ×1/);

    const whole = await cli(['verify', file('full.json', full), '--public-key', key]);
    expect(whole.code).toBe(0);
    expect(whole.stdout).not.toContain('✔ withheld');
  });

  it('contains none of the withheld values', () => {
    const sibling = events.find(
      (e) => e.type === 'BatchProduced' && String(e.data.batchId).startsWith('GB-LACE-001'),
    )!;
    const bills = events.flatMap((e) =>
      e.type === 'BatchShipped' ? (e.data.documents as { number: string }[]).map((d) => d.number) : [],
    );
    const shipments = events.flatMap((e) => (e.type === 'BatchShipped' ? [e.data.shipmentId as string] : []));
    const fullText = JSON.stringify(full);
    // Each was in the full bundle, and is not in the withheld one.
    const secrets = [
      trader,
      sibling.data.batchId as string,
      ...bills.filter((bill) => fullText.includes(bill)),
      ...shipments.filter((id) => fullText.includes(id)),
    ];
    expect(bills.filter((bill) => fullText.includes(bill)).length).toBeGreaterThanOrEqual(3);
    for (const secret of secrets) {
      expect(fullText).toContain(secret);
      expect(text).not.toContain(secret);
    }
    // The sibling's mass: only in its transformation's declaration (ADR 0021), withheld with its output.
    expect(fullText).toContain(`"massGrams":${sibling.data.massGrams as number}`);
    expect(text).not.toContain(`"massGrams":${sibling.data.massGrams as number}`);
    expect(Object.keys(withheld.streams)).not.toContain(toOrgStreamId(trader));
    for (const event of withheld.events.filter((e) => e.type === 'BatchShipped')) {
      expect(isWithheld(event.data.toOrgId)).toBe(true);
    }
  });

  it('recomputes the same origin shares, carbon and certification as the full bundle, withheld values shown as such', () => {
    expect(withheld.views!.provenance).toEqual(full.views!.provenance);
    expect(withheld.views!.carbon).toEqual(full.views!.carbon);
    expect(() => checkWithheldViews(full.views, withheld.views)).not.toThrow();
    const gaps = withheld.views!.certification.schemes.flatMap((scheme) => scheme.gaps);
    const traderSteps = gaps.filter((gap) => isWithheld(gap.orgId));
    expect(traderSteps.map((gap) => gap.facilityId)).toEqual(['jurong-bonded', 'jurong-bonded']);
    expect(
      withheld.views!.certification.schemes.map((s) => [s.scheme, s.chainCovered, s.certifiedShare]),
    ).toEqual(full.views!.certification.schemes.map((s) => [s.scheme, s.chainCovered, s.certifiedShare]));
  });

  it.each<[string, (event: BundledEvent) => void]>([
    [
      'one shown value changed',
      (event) => void ((event.data as { facilityId: string }).facilityId = 'elsewhere'),
    ],
    [
      'one digest changed',
      (event) => void ((event.data as { orgId: { '...': string } }).orgId['...'] = 'A'.repeat(43)),
    ],
    [
      'a wrong value revealed for a withheld field',
      (event) => {
        (event.data as { orgId: unknown }).orgId = 'kansai-magnetics';
        (event.metadata.salts as { data: Record<string, string> }).data.orgId = 'AAAAAAAAAAAAAAAAAAAAAA';
      },
    ],
  ])('fails `tracelode verify` with %s, naming the event', async (_name, tamper) => {
    const tampered = structuredClone(withheld) as AuditBundle & { events: BundledEvent[] };
    const receipt = tampered.events.find((e) => e.type === 'BatchReceived' && isWithheld(e.data.orgId))!;
    tamper(receipt);
    const key = file('ledger-key.json', publicKeyDocument(signer.publicKey));
    const verdict = await cli(['verify', file('tampered.json', tampered), '--public-key', key]);
    expect(verdict.code).toBe(1);
    expect(verdict.stdout).toContain(`FAILED at event ${receipt.eventId}`);
    expect(verdict.stdout).not.toContain('VERIFIED');
  });
});

/**
 * The acceptance of "Who sees what": the demo chain served by the built server, the magnets' bundle asked
 * for over HTTP by their maker (a downstream holder of every upstream lot) and by an auditor. The maker's
 * verifies offline with the same origins and carbon, and names none of what it may not see.
 */
describe('the magnet maker’s own bundle over HTTP, withheld by the read policy', () => {
  let dir: string;
  let ledger: LedgerHarness;
  let magnets: string;
  let maker: AuditBundle;
  let auditor: AuditBundle;
  let makerText: string;
  const file = (name: string, value: string) => {
    const path = join(dir, name);
    writeFileSync(path, value);
    return path;
  };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tracelode-withheld-http-'));
    const files = {
      TRACELODE_STORE: `sqlite:${join(dir, 'ledger.db')}`,
      TRACELODE_VIEWS: join(dir, 'views.db'),
      TRACELODE_INTEGRITY: join(dir, 'integrity.db'),
    };
    const env: NodeJS.ProcessEnv = { ...process.env, ...files, TRACELODE_MAX_RECORDING_DELAY: '3650d' };
    delete env.TRACELODE_ADMIN_TOKEN;
    const demo = await cli(['demo'], env);
    expect(demo.code).toBe(0);
    magnets = /"magnets": "([^"]+)"/.exec(demo.stdout)![1]!;
    const makerKey = /producer\s+\(magnet maker\)\s+(\S+)/.exec(demo.stdout)![1]!;
    const auditorKey = /auditor\s+(tl_\S+)/.exec(demo.stdout)![1]!;
    ledger = await LedgerHarness.start(files);
    const bundleFor = async (key: string) => {
      for (let attempt = 0; ; attempt++) {
        const reply = await ledger.get<AuditBundle>(`/batches/${magnets}/audit-bundle`, key);
        if (reply.status === 200 || attempt === 20) return reply;
        await new Promise((done) => setTimeout(done, 250)); // the views or the log still catching up: 503
      }
    };
    const makerReply = await bundleFor(makerKey);
    expect({
      status: makerReply.status,
      body: makerReply.status === 200 ? 'bundle' : makerReply.body,
    }).toEqual({
      status: 200,
      body: 'bundle',
    });
    maker = makerReply.body;
    makerText = JSON.stringify(maker);
    auditor = (await bundleFor(auditorKey)).body;
  }, 180_000);

  afterAll(async () => {
    await ledger?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('verifies offline with the built `tracelode verify`, saying what was withheld, as the auditor’s full one does', async () => {
    const shown = await cli(['verify', file('maker.json', makerText)]);
    expect(shown.stdout).toContain('VERIFIED');
    expect(shown.stdout).toMatch(/✔ withheld: \d+ fields in \d+ events/);
    expect(shown.code).toBe(0);
    const whole = await cli(['verify', file('auditor.json', JSON.stringify(auditor))]);
    expect(whole.code).toBe(0);
    expect(whole.stdout).not.toContain('✔ withheld');
  });

  it('recomputes the same origin shares and carbon as the auditor’s full bundle', () => {
    expect(maker.views?.provenance.origins).toEqual(auditor.views?.provenance.origins);
    expect(maker.views?.carbon).toEqual(auditor.views?.carbon);
  });

  it('contains none of the trader’s identity, its bills of lading, the sibling outputs or their masses', () => {
    const trader = auditor.events.find(
      (e) => e.type === 'OrganisationRegistered' && String(e.data.orgId).startsWith('straits-metals'),
    )!.data.orgId as string;
    const traderShipments = auditor.events.filter(
      (e) => e.type === 'BatchShipped' && (e.data.fromOrgId === trader || e.data.toOrgId === trader),
    );
    const bills = traderShipments.flatMap((e) =>
      (e.data.documents as { number: string }[]).map((d) => d.number),
    );
    const ancestors = new Set(
      auditor.events.filter((e) => e.stream.startsWith('batch-')).map((e) => e.data.batchId),
    );
    const siblings = auditor.events
      .filter((e) => e.type === 'TransformationRecorded')
      .flatMap((e) => e.data.outputs as { batchId: string; massGrams: number }[])
      .filter((output) => !ancestors.has(output.batchId));
    expect(bills.length).toBeGreaterThanOrEqual(2);
    expect(siblings.length).toBeGreaterThanOrEqual(1);
    const secrets = [trader, ...bills, ...traderShipments.map((e) => e.data.shipmentId as string)];
    secrets.push(...siblings.map((sibling) => sibling.batchId));
    for (const secret of secrets) {
      expect(JSON.stringify(auditor)).toContain(secret);
      expect({ secret, shown: makerText.includes(secret) }).toEqual({ secret, shown: false });
    }
    for (const sibling of siblings) expect(makerText).not.toContain(`"massGrams":${sibling.massGrams}`);
  });
});
