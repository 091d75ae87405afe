import { execFile } from 'node:child_process';
import { resolve } from 'node:path';
import { promisify } from 'node:util';
import { epcisViolations } from '@tracelode/epcis';
import { ADMIN_TOKEN, LedgerHarness, type Reply } from './support/ledger-harness';

const CLI_MAIN = resolve(__dirname, '../dist/apps/cli/apps/cli/src/main.js');
const BASE = 'https://ledger.example.org';

type EpcisEvent = Record<string, unknown> & { type: string };
interface EpcisDocument {
  '@context': unknown;
  type: string;
  epcisBody: { eventList: EpcisEvent[] };
}
interface BundledEvent {
  stream: string;
  type: string;
  data: Record<string, unknown>;
}
interface CaptureJob {
  captureID: string;
  success: boolean;
  errors: { index: number; code: string; message: string }[];
  recorded: number;
  position?: string;
}

/**
 * What must differ between two ledgers that recorded the same facts, and nothing else: the log positions
 * (`position`, `minPosition`-style cursors), the ledger's own event ids (`eventId`: each ledger gives its
 * events their own UUIDs), the ledger's clock (`recordedAt`, and `late`, which compares it with
 * `occurredAt`) and when a view was computed (`computedAt`).
 */
const NORMALISED = ['position', 'eventId', 'recordedAt', 'late', 'computedAt'];
function comparable(view: unknown): unknown {
  if (Array.isArray(view)) return view.map(comparable);
  if (view === null || typeof view !== 'object') return view;
  return Object.fromEntries(
    Object.entries(view)
      .filter(([key]) => !NORMALISED.includes(key))
      .map(([key, value]) => [key, comparable(value)]),
  );
}

async function cli(args: string[]): Promise<{ code: number; stdout: string }> {
  try {
    const { stdout } = await promisify(execFile)(process.execPath, [CLI_MAIN, ...args]);
    return { code: 0, stdout };
  } catch (error) {
    const failed = error as { code?: number; stdout?: string };
    return { code: failed.code ?? -1, stdout: failed.stdout ?? '' };
  }
}

/** A read asked at a log position the views have not reached yet (503 VIEWS_BEHIND) is asked again. */
async function caughtUp<T>(read: () => Promise<Reply<T>>): Promise<Reply<T>> {
  for (let attempt = 0; ; attempt += 1) {
    const reply = await read();
    if (reply.status !== 503 || attempt >= 60) return reply;
    await new Promise((done) => setTimeout(done, 500));
  }
}

/**
 * GS1 GLNs the source gives the miner and the magnet maker, and their mine and plant, after the demo
 * (ADR 0031): the export names them by GS1 Digital Link, and the copy registers them with the same GLNs.
 */
const GLNS = {
  miner: '0614141000012',
  mine: '0614141007776',
  maker: '4012345000016',
  plant: '0614141123452',
};
/** Which organisation each GLN (or the facility holding it) belongs to, by GLN. */
const glnOrgs = new Map<string, string>();

/** The organisation an EPCIS event is the act of: who would have sent the JSON command it stands for. */
function actorOf(event: EpcisEvent): string {
  const org = (uri: string | undefined) =>
    glnOrgs.get(/^https:\/\/id\.gs1\.org\/41[47]\/(\d{13})$/.exec(uri ?? '')?.[1] ?? '') ??
    /\/orgs\/([^/]+)/.exec(uri ?? '')?.[1];
  const owner = (list: unknown, side: 'source' | 'destination') =>
    (list as Record<string, string>[] | undefined)?.find((entry) => entry.type === 'owning_party')?.[side];
  let actor: string | undefined;
  if (event.bizStep === 'shipping' || event.bizStep === 'departing')
    actor = org(owner(event.sourceList, 'source'));
  else if (event.bizStep === 'receiving') actor = org(owner(event.destinationList, 'destination'));
  else if (event.bizStep === 'inspecting') actor = event['tl:byOrgId'] as string | undefined;
  else if (event.bizStep === 'holding') actor = event['tl:authorityOrgId'] as string | undefined;
  else actor = org((event.bizLocation as { id?: string } | undefined)?.id);
  if (actor === undefined) throw new Error(`no actor for ${JSON.stringify(event)}`);
  return decodeURIComponent(actor);
}

/**
 * The acceptance line of issue 16: the demo's magnet chain (`npm run demo`: two mines, assays under a
 * certificate, cracking, solvent extraction with economic allocation, a trader's warehouse, metal, alloy
 * with ferro-boron, sintering), carried on here by a split, a blend, a hold and its release and a licensed
 * export so that every mapped step is in it, exported as EPCIS by a reader who may see all of it (the
 * demo's auditor) and captured into a fresh ledger in which only the same organisations, facilities,
 * certificates and licences were registered (from the source's audit bundle), gives the same custody,
 * provenance and carbon views of every lot of the chain.
 */
describe('EPCIS 2.0 round trip of the demo magnet chain', () => {
  let source: LedgerHarness;
  let copy: LedgerHarness;
  let magnets: string;
  let blend: string;
  let auditor: string;
  let exported: EpcisDocument;
  let bundle: { events: BundledEvent[] };

  beforeAll(async () => {
    source = await LedgerHarness.start({ TRACELODE_PUBLIC_URL: BASE });
    const demo = await cli(['demo', '--url', source.baseUrl, '--admin-token', ADMIN_TOKEN]);
    expect(demo.code).toBe(0);
    magnets = /"magnets": "([^"]+)"/.exec(demo.stdout)![1]!;
    auditor = /auditor\s+(tl_\S+)/.exec(demo.stdout)![1]!;
    const maker = /producer\s+\(magnet maker\)\s+(tl_\S+)/.exec(demo.stdout)![1]!;
    const run = magnets.slice('HM-MAG-001-'.length);
    const makerOrg = `kansai-magnetics-${run}`;
    const minerOrg = `weld-mining-${run}`;
    for (const [path, gln, orgId] of [
      [`/orgs/${minerOrg}/gln`, GLNS.miner, minerOrg],
      [`/orgs/${minerOrg}/facilities/mt-weld/gln`, GLNS.mine, minerOrg],
      [`/orgs/${makerOrg}/gln`, GLNS.maker, makerOrg],
      [`/orgs/${makerOrg}/facilities/himeji/gln`, GLNS.plant, makerOrg],
    ] as const) {
      const given = await source.post(path, ADMIN_TOKEN, { gln });
      expect([path, given.status]).toEqual([path, 201]);
      glnOrgs.set(gln, orgId);
    }
    // Beyond the demo, so the round trip covers every mapped step: the magnets split into two lots and
    // blended again, the blend held and released by Japan's regulator and exported under its licence.
    const ok = async (path: string, token: string, body: unknown) => {
      const reply = await source.post<{ position: string }>(path, token, body);
      if (reply.status !== 201) throw new Error(`${path}: ${reply.status} ${JSON.stringify(reply.body)}`);
      return reply.body.position;
    };
    const regulator = (
      await source.post<{ apiKey: string }>('/orgs', ADMIN_TOKEN, {
        orgId: `jp-export-control-${run}`,
        name: 'Japanese export control (test)',
        country: 'JP',
        roles: ['regulator'],
      })
    ).body.apiKey;
    await ok(`/batches/${magnets}/splits`, maker, {
      splitId: `SPLIT-${run}`,
      outputs: [
        { batchId: `MAG-A-${run}`, massKg: 4000 },
        { batchId: `MAG-B-${run}`, massKg: 2510 },
      ],
      occurredAt: '2026-06-05T08:00:00+09:00',
    });
    await ok('/blends', maker, {
      blendId: `BLEND-${run}`,
      facilityId: 'himeji',
      inputs: [
        { batchId: `MAG-A-${run}`, consumedKg: 4000 },
        { batchId: `MAG-B-${run}`, consumedKg: 2000 },
      ],
      output: { batchId: `BLEND-${run}`, material: { form: 'magnet', elements: ['Nd', 'Pr'] } },
      occurredAt: '2026-06-08T08:00:00+09:00',
    });
    blend = `BLEND-${run}`;
    await ok(`/batches/${blend}/holds`, regulator, {
      reason: 'End-user check',
      occurredAt: '2026-06-10T08:00:00+09:00',
    });
    await ok(`/batches/${blend}/releases`, regulator, {
      reason: 'End user confirmed',
      occurredAt: '2026-06-12T08:00:00+09:00',
    });
    await ok('/licences', regulator, {
      licenceId: `L-${run}`,
      holderOrgId: makerOrg,
      type: 'general',
      items: [{ form: 'magnet', elements: ['Nd', 'Pr'], hsCode: '8505.11' }],
      destinations: ['DE'],
      endUsers: ['Rhein Motoren GmbH'],
      quantityKg: 10000,
      validFrom: '2026-01-01T00:00:00Z',
      validUntil: '2099-12-31T23:59:59Z',
      occurredAt: '2026-06-01T00:00:00Z',
    });
    const last = await ok(`/batches/${blend}/exports`, maker, {
      exportId: `EXP-${run}`,
      licenceId: `L-${run}`,
      destinationCountry: 'DE',
      consignee: 'Rhein Motoren GmbH',
      endUser: 'Rhein Motoren GmbH',
      hsCode: '8505.11',
      customsDeclarationNo: `JP-${run}`,
      port: 'JPUKB',
      occurredAt: '2026-06-15T08:00:00+09:00',
    });
    const reply = await caughtUp(() =>
      source.get<EpcisDocument>(`/batches/${blend}/epcis?minPosition=${last}`, auditor),
    );
    expect(reply.status).toBe(200);
    exported = reply.body;
    bundle = (await source.get<{ events: BundledEvent[] }>(`/batches/${blend}/audit-bundle`, auditor)).body;
    copy = await LedgerHarness.start({ TRACELODE_PUBLIC_URL: BASE });
  }, 240_000);

  afterAll(async () => {
    await source?.stop();
    await copy?.stop();
  });

  it('exports the whole chain as one EPCISDocument valid against the GS1 schema', () => {
    expect(epcisViolations(exported)).toEqual([]);
    const steps = exported.epcisBody.eventList.map((event) => `${event.type}:${String(event.bizStep)}`);
    expect(steps).toContain('ObjectEvent:commissioning');
    expect(steps).toContain('ObjectEvent:shipping');
    expect(steps).toContain('ObjectEvent:receiving');
    expect(steps).toContain('ObjectEvent:inspecting');
    // Six transformations, a split and a blend.
    expect(steps.filter((step) => step === 'TransformationEvent:commissioning')).toHaveLength(8);
    expect(steps).toContain('ObjectEvent:holding');
    expect(steps).toContain('ObjectEvent:departing');
    expect(exported.epcisBody.eventList.some((event) => Array.isArray(event.certificationInfo))).toBe(true);
    // The mine, the plant and their organisations by their GLNs' GS1 Digital Links; the rest by the ledger's.
    const text = JSON.stringify(exported);
    for (const gln of [GLNS.mine, GLNS.plant]) expect(text).toContain(`"https://id.gs1.org/414/${gln}"`);
    for (const gln of [GLNS.miner, GLNS.maker]) expect(text).toContain(`"https://id.gs1.org/417/${gln}"`);
    expect(text).not.toContain(`${BASE}/orgs/weld-mining-`);
    expect(text).toContain(`${BASE}/orgs/kuantan-processing-`);
  });

  it('captured into a fresh ledger gives equal custody, provenance and carbon views', async () => {
    // The fresh ledger knows the same organisations, facilities and certificates (registrations are no
    // EPCIS events): registered there from the source's audit bundle, by the operator and each party.
    const keys: Record<string, string> = {};
    // With the same GLNs (`GlnAssigned` in the bundle), given at registration this time.
    const glnOf = (orgId: string, facilityId?: string) => {
      const assigned = bundle.events.find(
        (e) => e.type === 'GlnAssigned' && e.data.orgId === orgId && e.data.facilityId === facilityId,
      );
      return assigned ? { gln: assigned.data.gln } : {};
    };
    expect(bundle.events.filter((e) => e.type === 'GlnAssigned')).toHaveLength(4);
    for (const event of bundle.events.filter((e) => e.type === 'OrganisationRegistered')) {
      const { orgId, name, country, roles } = event.data as Record<string, string>;
      const registered = await copy.post<{ apiKey: string }>('/orgs', ADMIN_TOKEN, {
        orgId,
        name,
        country,
        roles,
        ...glnOf(orgId!),
      });
      expect([orgId, registered.status]).toEqual([orgId, 201]);
      keys[orgId!] = registered.body.apiKey;
    }
    for (const event of bundle.events.filter((e) => e.type === 'FacilityRegistered')) {
      const { orgId, ...facility } = event.data as Record<string, string>;
      // A facility's GLN is given by the operator only (ADR 0031): the operator registers those with one.
      const gln = glnOf(orgId!, facility.facilityId);
      const registered = await copy.post(
        `/orgs/${orgId}/facilities`,
        gln.gln !== undefined ? ADMIN_TOKEN : keys[orgId!]!,
        { ...facility, ...gln },
      );
      expect([facility.facilityId, registered.status]).toEqual([facility.facilityId, 201]);
    }
    for (const event of bundle.events.filter((e) => e.type === 'CertificateIssued')) {
      const { certifierOrgId, ...certificate } = event.data as Record<string, string>;
      const issued = await copy.post('/certificates', keys[certifierOrgId!]!, certificate);
      expect([certificate.certificateId, issued.status, issued.body]).toEqual([
        certificate.certificateId,
        201,
        expect.anything(),
      ]);
    }

    for (const event of bundle.events.filter((e) => e.type === 'LicenceGranted')) {
      const { authorityOrgId, quantityGrams, ...licence } = event.data as Record<string, string>;
      const granted = await copy.post('/licences', keys[authorityOrgId!]!, {
        ...licence,
        quantityKg: Number(quantityGrams) / 1000,
      });
      expect([licence.licenceId, granted.status]).toEqual([licence.licenceId, 201]);
    }

    // The export, captured as it came: consecutive events of one party as one document (rollback).
    const documents: { actor: string; events: EpcisEvent[] }[] = [];
    for (const event of exported.epcisBody.eventList) {
      const actor = actorOf(event);
      const last = documents.at(-1);
      if (last?.actor === actor) last.events.push(event);
      else documents.push({ actor, events: [event] });
    }
    let position = '0';
    for (const { actor, events } of documents) {
      const reply = await copy.request<CaptureJob>('POST', '/epcis/capture', {
        token: keys[actor]!,
        body: { ...exported, epcisBody: { eventList: events } },
        headers: { 'content-type': 'application/ld+json' },
      });
      expect([actor, reply.status, reply.body.errors]).toEqual([actor, 202, []]);
      expect(reply.body.recorded).toBe(events.length);
      position = reply.body.position!;
    }

    const lots = [
      ...new Set(
        bundle.events
          .filter((event) => event.stream.startsWith('batch-'))
          .map((event) => event.stream.slice('batch-'.length)),
      ),
    ];
    expect(lots).toEqual(expect.arrayContaining([magnets, blend, `MAG-A-${blend.slice(6)}`]));
    expect(lots.length).toBeGreaterThanOrEqual(11);
    for (const lot of lots) {
      for (const view of ['', '/provenance', '/carbon']) {
        const original = await source.get(`/batches/${lot}${view}`, auditor);
        const captured = await caughtUp(() =>
          copy.get(`/batches/${lot}${view}?minPosition=${position}`, ADMIN_TOKEN),
        );
        expect([lot, view, original.status]).toEqual([lot, view, 200]);
        expect([lot, view, comparable(captured.body)]).toEqual([lot, view, comparable(original.body)]);
      }
    }

    // And the copy's export of the magnets is the source's, but for the ledger's own ids and clock.
    const again = await caughtUp(() =>
      copy.get<EpcisDocument>(`/batches/${blend}/epcis?minPosition=${position}`, ADMIN_TOKEN),
    );
    // Normalised: each ledger's own event ids and clock, and the order (log order: an append puts the
    // transformation declarations of a captured document first, ADR 0031).
    const strip = (events: EpcisEvent[]) =>
      events
        .map(({ eventID: _id, recordTime: _time, ...rest }) => JSON.stringify(rest))
        .sort()
        .map((event) => JSON.parse(event) as unknown);
    expect(strip(again.body.epcisBody.eventList)).toEqual(strip(exported.epcisBody.eventList));
  }, 240_000);
});
