import { type AuditBundle, verifyAuditBundle } from '@tracelode/evidence';
import { ADMIN_TOKEN, LedgerHarness } from './support/ledger-harness';

/**
 * Who sees what (docs/visibility.md), over HTTP against the built server: every read route × every
 * relationship a reader can stand in to a lot — current and past participants, the upstream supplier, a
 * downstream holder, engaged and unengaged certifiers, competent and foreign regulators, an auditor and a
 * stranger — and disclosures granted, read as of a moment, and revoked.
 *
 * The chain: MineCo (AU) mines MW-1 and ships it to TradeCo's warehouse (SG), which ships it to RefCo (MY);
 * RefCo refines it into OX-1, sold to MagCo (JP), and OX-2, which it exports under a Malaysian licence;
 * MagCo makes magnets MAG-1 of OX-1. IRMA certifies RefCo's plant; RMI certifies nobody.
 */
describe('visibility: who sees what', () => {
  let ledger: LedgerHarness;
  const keys: Record<string, string> = {};
  let head = '0';

  const post = async (path: string, who: string, body: unknown) => {
    const reply = await ledger.post<{ position: string }>(path, keys[who] ?? who, body);
    if (reply.status !== 201) throw new Error(`${path}: ${reply.status} ${JSON.stringify(reply.body)}`);
    head = reply.body.position;
    return reply.body.position;
  };
  const get = <T = Record<string, unknown>>(path: string, who: string) =>
    ledger.get<T>(`${path}${path.includes('?') ? '&' : '?'}minPosition=${head}`, keys[who]!);
  const status = async (path: string, who: string) => (await get(path, who)).status;

  const docs = (number: string) => [{ type: 'bill_of_lading', number }];
  const ship = (
    batchId: string,
    from: string,
    shipmentId: string,
    to: [string, string],
    bol: string,
    day: number,
  ) =>
    post(`/batches/${batchId}/shipments`, from, {
      shipmentId,
      toOrgId: to[0],
      toFacilityId: to[1],
      occurredAt: `2026-03-${String(day).padStart(2, '0')}T06:00:00Z`,
      documents: docs(bol),
    });
  const receive = (batchId: string, by: string, shipmentId: string, massKg: number, day: number) =>
    post(`/batches/${batchId}/receipts`, by, {
      shipmentId,
      receivedMassKg: massKg,
      occurredAt: `2026-03-${String(day).padStart(2, '0')}T18:00:00Z`,
    });

  /** Log positions worth reading as of. */
  const at: Record<string, string> = {};

  beforeAll(async () => {
    ledger = await LedgerHarness.start();
    const org = async (orgId: string, country: string, roles: string[], facility?: [string, string]) => {
      keys[orgId] = await ledger.organisation(
        orgId,
        country,
        roles,
        facility ? [{ facilityId: facility[0], kind: facility[1] }] : [],
      );
    };
    await org('mineco', 'AU', ['producer'], ['mt-weld', 'mine']);
    await org('tradeco', 'SG', ['producer'], ['sg-wh', 'warehouse']);
    await org('refco', 'MY', ['producer'], ['kuantan', 'processing_plant']);
    await org('magco', 'JP', ['producer'], ['osaka', 'processing_plant']);
    await org('customs-au', 'AU', ['regulator']);
    await org('customs-my', 'MY', ['regulator']);
    await org('customs-de', 'DE', ['regulator']);
    await org('irma', 'DE', ['certifier']);
    await org('rmi', 'US', ['certifier']);
    await org('consortium-audit', 'CH', ['auditor']);
    await org('stranger', 'US', ['producer']);
    keys.admin = ADMIN_TOKEN;

    await post('/certificates', 'irma', {
      certificateId: 'C-KUANTAN',
      scheme: 'IRMA',
      subject: { type: 'facility', id: 'kuantan', orgId: 'refco' },
      validFrom: '2026-01-01T00:00:00Z',
      validUntil: '2027-01-01T00:00:00Z',
      evidence: { sha256: 'a'.repeat(64), uri: 'https://audits.example/kuantan.pdf' },
      occurredAt: '2026-01-01T00:00:00Z',
    });
    await post('/batches/mined', 'mineco', {
      batchId: 'MW-1',
      facilityId: 'mt-weld',
      material: { form: 'concentrate', elements: ['Nd', 'Pr'] },
      massKg: 1000,
      extractionEmissionsKgCo2e: 500,
      occurredAt: '2026-03-01T00:00:00Z',
    });
    await ship('MW-1', 'mineco', 'S-1', ['tradeco', 'sg-wh'], 'BOL-MINE-TRADE', 2);
    at.traderReceived = await receive('MW-1', 'tradeco', 'S-1', 1000, 4);
    await ship('MW-1', 'tradeco', 'S-2', ['refco', 'kuantan'], 'BOL-TRADE-REF', 6);
    at.refinerReceived = await receive('MW-1', 'refco', 'S-2', 1000, 9);
    await post('/transformations', 'refco', {
      transformationId: 'T-OX',
      facilityId: 'kuantan',
      process: 'solvent_extraction',
      occurredAt: '2026-03-12T00:00:00Z',
      inputs: [{ batchId: 'MW-1', consumedKg: 1000 }],
      outputs: [
        { batchId: 'OX-1', material: { form: 'oxide', elements: ['Nd', 'Pr'] }, massKg: 600 },
        { batchId: 'OX-2', material: { form: 'oxide', elements: ['Nd', 'Pr'] }, massKg: 300 },
      ],
      processEmissionsKgCo2e: 900,
    });
    await ship('OX-1', 'refco', 'S-3', ['magco', 'osaka'], 'BOL-REF-MAG', 14);
    await receive('OX-1', 'magco', 'S-3', 600, 17);
    await post('/transformations', 'magco', {
      transformationId: 'T-MAG',
      facilityId: 'osaka',
      process: 'sintering',
      occurredAt: '2026-03-20T00:00:00Z',
      inputs: [{ batchId: 'OX-1', consumedKg: 600 }],
      outputs: [{ batchId: 'MAG-1', material: { form: 'magnet', elements: ['Nd', 'Pr'] }, massKg: 550 }],
      processEmissionsKgCo2e: 100,
    });
    await post('/licences', 'customs-my', {
      licenceId: 'LIC-MY',
      holderOrgId: 'refco',
      type: 'general',
      items: [{ form: 'oxide', elements: ['Nd', 'Pr'] }],
      destinations: ['KR'],
      quantityKg: 10000,
      validFrom: '2026-01-01T00:00:00Z',
      validUntil: '2099-12-31T23:59:59Z',
      occurredAt: '2026-01-01T00:00:00Z',
    });
    await post('/batches/OX-2/exports', 'refco', {
      exportId: 'EXP-OX-2',
      licenceId: 'LIC-MY',
      destinationCountry: 'KR',
      consignee: 'Secret Buyer Korea',
      endUser: 'Secret End User',
      hsCode: '2846.90',
      customsDeclarationNo: 'K1-SECRET',
      port: 'MYKUA',
      occurredAt: '2026-03-25T00:00:00Z',
    });
  }, 120_000);
  afterAll(() => ledger.stop());

  const STRANGERS = ['customs-de', 'rmi', 'stranger'];
  const FULL = ['customs-au', 'customs-my', 'irma', 'consortium-audit', 'admin'];
  const BATCH_ROUTES = [
    '/batches/MW-1',
    '/batches/MW-1/events',
    '/batches/MW-1/provenance',
    '/batches/MW-1/provenance?direction=descendants',
    '/batches/MW-1/carbon',
    '/batches/MW-1/footprint',
    '/batches/MW-1/certification',
    '/holds/MW-1/impact',
  ];
  const momentsOf = (route: string) => [
    route,
    `${route}${route.includes('?') ? '&' : '?'}atPosition=${head}`,
  ];

  it('answers a stranger on every route exactly as a batch that does not exist, the same body', async () => {
    for (const route of [...BATCH_ROUTES, '/batches/MW-1/audit-bundle']) {
      const missing = await get(route.replace('MW-1', 'NO-SUCH-LOT'), 'stranger');
      for (const who of STRANGERS) {
        const reply = await get(route, who);
        expect({ route, who, status: reply.status }).toEqual({ route, who, status: 404 });
        expect(JSON.stringify(reply.body)).toBe(
          JSON.stringify(missing.body).replaceAll('NO-SUCH-LOT', 'MW-1'),
        );
      }
    }
    for (const route of BATCH_ROUTES.filter((r) => !r.endsWith('/events')).flatMap(momentsOf)) {
      for (const who of STRANGERS)
        expect({ route, who, status: await status(route, who) }).toMatchObject({ status: 404 });
    }
  });

  it('answers every relation of MW-1 on every route and moment (404 only for strangers)', async () => {
    const readers = ['mineco', 'tradeco', 'refco', 'magco', ...FULL];
    for (const route of BATCH_ROUTES.flatMap((r) => (r.endsWith('/events') ? [r] : momentsOf(r)))) {
      for (const who of readers)
        expect({ route, who, status: await status(route, who) }).toEqual({ route, who, status: 200 });
    }
  });

  it('gives the upstream supplier and the trader nothing of what was made downstream of their lot', async () => {
    for (const batchId of ['OX-1', 'OX-2', 'MAG-1']) {
      for (const who of ['mineco', 'tradeco']) {
        expect({ batchId, who, status: await status(`/batches/${batchId}/provenance`, who) }).toMatchObject({
          status: 404,
        });
        expect(await status(`/batches/${batchId}`, who)).toBe(404);
      }
    }
  });

  type Custody = {
    status: string;
    visibility: string;
    custodian: { orgId: string } | null;
    timeline: { type: string; details: Record<string, unknown> }[];
  };
  const custody = async (who: string, batchId = 'MW-1') =>
    (await get<Custody>(`/batches/${batchId}`, who)).body;

  it('shows a past participant its custody up to the next custodian’s receipt, and that the lot left', async () => {
    const miner = await custody('mineco');
    expect(miner).toMatchObject({
      status: 'left_custody',
      visibility: 'partial',
      custodian: { orgId: 'tradeco' },
    });
    expect(miner.timeline.map((entry) => entry.type)).toEqual([
      'BatchMined',
      'BatchShipped',
      'BatchReceived',
    ]);
    expect(JSON.stringify(miner)).not.toContain('BOL-TRADE-REF');
    const trader = await custody('tradeco');
    expect(trader.status).toBe('left_custody');
    expect(trader.timeline.map((entry) => entry.type)).toEqual([
      'BatchMined',
      'BatchShipped',
      'BatchReceived',
      'BatchShipped',
      'BatchReceived',
    ]);
    const refiner = await custody('refco');
    expect(refiner.timeline.map((entry) => entry.type)).toContain('BatchRefined');
    expect(refiner.status).toBe('consumed');
  });

  it('shows full readers everything of the lot', async () => {
    for (const who of FULL) {
      const view = await custody(who);
      expect({ who, visibility: view.visibility, entries: view.timeline.length }).toEqual({
        who,
        visibility: 'full',
        entries: 6,
      });
    }
  });

  it('shows a downstream holder where the lot was mined and refined, never the trader, its documents or the sibling', async () => {
    const view = await custody('magco');
    expect(view).toMatchObject({
      status: 'undisclosed',
      visibility: 'upstream',
      custodian: { orgId: 'mineco' },
    });
    expect(view.timeline.map((entry) => entry.type)).toEqual(['BatchMined', 'BatchRefined']);
    const events = (await get<{ type: string; withheld?: string[] }[]>('/batches/MW-1/events', 'magco')).body;
    expect(events.map((event) => event.type)).toEqual(['BatchMined', 'BatchRefined']);
    // The refining's own stock is hidden; its sibling output is named only in the declaration (ADR 0021).
    expect(events[1]!.withheld).toEqual(expect.arrayContaining(['data.remainingGrams', 'metadata.actor']));
    const provenance = (await get<{ children: { batchId: string }[] }>('/batches/MW-1/provenance', 'magco'))
      .body;
    expect(provenance.children.map((child) => child.batchId)).toEqual(['OX-1']);
    const certification = await get('/batches/MAG-1/certification', 'magco');
    expect(certification.status).toBe(200);
    const steps = JSON.stringify(certification.body);
    expect(steps).toContain('"country":"SG"');
    for (const text of [view, events, provenance, certification.body].map((body) => JSON.stringify(body))) {
      for (const secret of ['tradeco', 'sg-wh', 'BOL-', 'OX-2', 'S-1', 'S-2'])
        expect(text).not.toContain(secret);
    }
    expect((await get('/batches/MW-1/provenance?direction=descendants', 'magco')).body).toMatchObject({
      descendants: [],
    });
    expect((await get('/holds/MW-1/impact', 'magco')).body).toMatchObject({
      descendants: [],
      custodian: null,
    });
  });

  it('lists descendants within each reader’s own claim: custody, country, certification, or all', async () => {
    const descendants = async (who: string) =>
      (
        await get<{ descendants: { batchId: string }[] }>(
          '/batches/MW-1/provenance?direction=descendants',
          who,
        )
      ).body.descendants
        .map((descendant) => descendant.batchId)
        .sort();
    expect(await descendants('refco')).toEqual(['OX-1', 'OX-2']);
    expect(await descendants('mineco')).toEqual([]);
    expect(await descendants('customs-au')).toEqual([]);
    expect(await descendants('customs-my')).toEqual(['OX-1', 'OX-2']);
    expect(await descendants('irma')).toEqual(['OX-1', 'OX-2']);
    expect(await descendants('consortium-audit')).toEqual(['MAG-1', 'OX-1', 'OX-2']);
    expect(await descendants('admin')).toEqual(['MAG-1', 'OX-1', 'OX-2']);
  });

  it('hands full bundles to full readers, none to strangers, and bundles with fields withheld by digest to participants and downstream holders, which verify offline', async () => {
    for (const who of ['customs-au', 'irma', 'consortium-audit', 'admin']) {
      expect({ who, status: await status('/batches/MW-1/audit-bundle', who) }).toEqual({ who, status: 200 });
    }
    const full = (await get<AuditBundle>('/batches/MW-1/audit-bundle', 'consortium-audit')).body;
    expect(verifyAuditBundle(full).withheld).toBeUndefined();
    for (const who of ['mineco', 'magco']) {
      const reply = await get<AuditBundle>('/batches/MW-1/audit-bundle', who);
      expect({ who, status: reply.status, body: reply.status === 200 ? undefined : reply.body }).toEqual({
        who,
        status: 200,
        body: undefined,
      });
      const verdict = verifyAuditBundle(reply.body);
      expect({ who, failure: verdict.failure?.message }).toEqual({ who, failure: undefined });
      expect(verdict.ok).toBe(true);
      expect(verdict.withheld).toBeDefined();
      // The same origins and carbon as the full bundle: only who held it and its papers are hidden.
      expect(reply.body.views?.provenance.origins).toEqual(full.views?.provenance.origins);
      expect(reply.body.views?.carbon).toEqual(full.views?.carbon);
    }
    // The downstream holder is not shown the trader's identity, nor its shipments' papers.
    const magco = JSON.stringify((await get<AuditBundle>('/batches/MW-1/audit-bundle', 'magco')).body);
    expect(magco).not.toContain('tradeco');
  });

  it('lets licences be read by their holder, their regulator and auditors, and exports by the exporter and competent regulators', async () => {
    const licences = async (who: string) =>
      (await get<{ licenceId: string }[]>('/licences', who)).body.map((licence) => licence.licenceId);
    const exports = async (who: string) =>
      (await get<{ exportId: string }[]>('/exports?licenceId=LIC-MY', who)).body.map((e) => e.exportId);
    for (const who of ['refco', 'customs-my', 'consortium-audit', 'admin']) {
      expect({ who, licences: await licences(who) }).toEqual({ who, licences: ['LIC-MY'] });
      expect({ who, exports: await exports(who) }).toEqual({ who, exports: ['EXP-OX-2'] });
      expect(await status('/licences/LIC-MY', who)).toBe(200);
      expect(await status('/licences/LIC-MY/events', who)).toBe(200);
    }
    for (const who of ['mineco', 'magco', 'customs-au', 'customs-de', 'irma', 'stranger']) {
      expect({ who, licences: await licences(who) }).toEqual({ who, licences: [] });
      expect({ who, exports: await exports(who) }).toEqual({ who, exports: [] });
      for (const route of ['/licences/LIC-MY', '/licences/LIC-MY/events']) {
        const reply = await get(route, who);
        expect({ who, route, status: reply.status, code: reply.body.code }).toEqual({
          who,
          route,
          status: 404,
          code: 'LICENCE_NOT_FOUND',
        });
      }
    }
  });

  it('keeps certificates public', async () => {
    for (const who of ['stranger', 'magco']) expect(await status('/certificates/C-KUANTAN', who)).toBe(200);
  });

  it('writes nothing when it refuses a read', async () => {
    const before = await ledger.eventCount();
    for (const route of BATCH_ROUTES) await get(route, 'stranger');
    await get('/batches/MW-1/audit-bundle', 'stranger');
    expect(await ledger.eventCount()).toBe(before);
  });

  describe('a disclosure', () => {
    it('makes the granter’s segment readable to a certifier from its position, and unreadable again once revoked', async () => {
      const before = head;
      expect(await status('/batches/MW-1', 'rmi')).toBe(404);
      const granted = await post('/batches/MW-1/disclosures', 'mineco', {
        disclosureId: 'D-1',
        toOrgId: 'rmi',
        scope: 'segment',
      });
      const view = await custody('rmi');
      expect(view.visibility).toBe('partial');
      expect(view.timeline.map((entry) => entry.type)).toEqual([
        'BatchMined',
        'BatchShipped',
        'BatchReceived',
      ]);
      // A certifier it is disclosed to is engaged: it may assay the lot.
      await post('/batches/MW-1/assays', 'rmi', {
        assayId: 'A-RMI',
        lab: 'SGS',
        method: 'ICP-MS',
        grade: { TREO: 40 },
        occurredAt: '2026-03-26T00:00:00Z',
      });
      // Shown to the granter and the grantee, not to the other parties.
      const disclosures = async (who: string) =>
        (await get<{ type: string }[]>('/batches/MW-1/events', who)).body.filter(
          (e) => e.type === 'DisclosureGranted',
        ).length;
      expect(await disclosures('mineco')).toBe(1);
      expect(await disclosures('rmi')).toBe(1);
      expect(await disclosures('refco')).toBe(0);
      expect(await disclosures('consortium-audit')).toBe(1);
      // As of a moment before the grant, it had none of it.
      expect(await status(`/batches/MW-1?atPosition=${before}`, 'rmi')).toBe(404);
      expect(await status(`/batches/MW-1?atPosition=${granted}`, 'rmi')).toBe(200);

      const revoked = await post('/batches/MW-1/disclosures/D-1/revocations', 'mineco', {});
      expect(await status('/batches/MW-1', 'rmi')).toBe(404);
      expect(await status(`/batches/MW-1?atPosition=${revoked}`, 'rmi')).toBe(404);
      expect(await status(`/batches/MW-1?atPosition=${granted}`, 'rmi')).toBe(200);
      const assay = await ledger.post('/batches/MW-1/assays', keys.rmi!, {
        assayId: 'A-RMI-2',
        lab: 'SGS',
        method: 'ICP-MS',
        grade: { TREO: 40 },
        occurredAt: '2026-03-27T00:00:00Z',
      });
      // Unreadable again, the lot is not there for its commands either.
      expect(assay.body).toMatchObject({ status: 404, code: 'BATCH_NOT_FOUND' });
    });

    it('refuses a disclosure by an organisation that never held the lot', async () => {
      const reply = await ledger.post('/batches/MW-1/disclosures', keys.magco!, {
        disclosureId: 'D-X',
        toOrgId: 'rmi',
        scope: 'history',
      });
      expect({ status: reply.status, code: reply.body.code }).toEqual({
        status: 403,
        code: 'NOT_A_PARTICIPANT',
      });
    });
  });
});
