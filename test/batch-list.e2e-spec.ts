import { expectRefusal } from './support/expect-refusal';
import { ADMIN_TOKEN, LedgerHarness } from './support/ledger-harness';

interface Page {
  batches: { batchId: string; status: string; material: { form: string }; custodian: { orgId: string } }[];
  next: string | null;
}

/**
 * GET /batches (docs/visibility.md): each organisation finds exactly the batches it may read, through the
 * index terms the projections keep; filters, an opaque cursor, and 400s with stable codes for bad input.
 *
 * MineCo (AU) mines MW-1..MW-5 (concentrate) and ships MW-1 to RefCo (MY), which receives it and refines
 * it into OX-1 (oxide). A competitor, OtherMine (CA), mines OM-1. The AU regulator holds MW-2.
 */
describe('GET /batches', () => {
  let ledger: LedgerHarness;
  const keys: Record<string, string> = {};
  let head = '0';

  const post = async (path: string, who: string, body: unknown) => {
    const reply = await ledger.post<{ position: string }>(path, keys[who]!, body);
    if (reply.status !== 201) throw new Error(`${path}: ${reply.status} ${JSON.stringify(reply.body)}`);
    head = reply.body.position;
  };
  const list = (who: string, query = '') =>
    ledger.get<Page>(`/batches?minPosition=${head}${query ? `&${query}` : ''}`, keys[who]!);
  const ids = async (who: string, query = '') => {
    const reply = await list(who, query);
    expect(reply.status).toBe(200);
    return reply.body.batches.map((batch) => batch.batchId);
  };
  const mine = (batchId: string, org: string, facilityId: string) =>
    post('/batches/mined', org, {
      batchId,
      facilityId,
      material: { form: 'concentrate', elements: ['Nd', 'Pr'] },
      massKg: 1000,
      occurredAt: '2026-03-01T00:00:00Z',
    });

  beforeAll(async () => {
    ledger = await LedgerHarness.start();
    keys.mineco = await ledger.organisation(
      'mineco',
      'AU',
      ['producer'],
      [{ facilityId: 'mt-weld', kind: 'mine' }],
    );
    keys.refco = await ledger.organisation(
      'refco',
      'MY',
      ['producer'],
      [{ facilityId: 'kuantan', kind: 'processing_plant' }],
    );
    keys.othermine = await ledger.organisation(
      'othermine',
      'CA',
      ['producer'],
      [{ facilityId: 'thor', kind: 'mine' }],
    );
    keys['customs-au'] = await ledger.organisation('customs-au', 'AU', ['regulator']);
    keys['customs-de'] = await ledger.organisation('customs-de', 'DE', ['regulator']);
    keys.irma = await ledger.organisation('irma', 'DE', ['certifier']);
    keys.audit = await ledger.organisation('audit', 'CH', ['auditor']);
    keys.stranger = await ledger.organisation('stranger', 'US', ['producer']);
    keys.admin = ADMIN_TOKEN;

    for (const n of [1, 2, 3, 4, 5]) await mine(`MW-${n}`, 'mineco', 'mt-weld');
    await mine('OM-1', 'othermine', 'thor');
    await post('/batches/MW-1/shipments', 'mineco', {
      shipmentId: 'S-1',
      toOrgId: 'refco',
      toFacilityId: 'kuantan',
      occurredAt: '2026-03-02T00:00:00Z',
    });
    await post('/batches/MW-1/receipts', 'refco', {
      shipmentId: 'S-1',
      receivedMassKg: 1000,
      occurredAt: '2026-03-03T00:00:00Z',
    });
    await post('/transformations', 'refco', {
      transformationId: 'T-OX',
      facilityId: 'kuantan',
      process: 'solvent_extraction',
      occurredAt: '2026-03-04T00:00:00Z',
      inputs: [{ batchId: 'MW-1', consumedKg: 1000 }],
      outputs: [{ batchId: 'OX-1', material: { form: 'oxide', elements: ['Nd', 'Pr'] }, massKg: 600 }],
      processEmissionsKgCo2e: 100,
    });
    await post('/batches/MW-2/holds', 'customs-au', {
      reason: 'inspection',
      occurredAt: '2026-03-05T00:00:00Z',
    });
    await post('/certificates', 'irma', {
      certificateId: 'C-THOR',
      scheme: 'IRMA',
      subject: { type: 'facility', id: 'thor', orgId: 'othermine' },
      validFrom: '2026-01-01T00:00:00Z',
      validUntil: '2027-01-01T00:00:00Z',
      evidence: { sha256: 'a'.repeat(64), uri: 'https://audits.example/thor.pdf' },
      occurredAt: '2026-01-01T00:00:00Z',
    });
  }, 120_000);

  afterAll(() => ledger?.stop());

  it('lists only the batches each reader may see', async () => {
    expect(await ids('mineco')).toEqual(['MW-1', 'MW-2', 'MW-3', 'MW-4', 'MW-5']);
    expect(await ids('refco')).toEqual(['MW-1', 'OX-1']);
    expect(await ids('othermine')).toEqual(['OM-1']);
    expect(await ids('customs-au')).toEqual(['MW-1', 'MW-2', 'MW-3', 'MW-4', 'MW-5']);
    expect(await ids('irma')).toEqual(['OM-1']);
    expect(await ids('audit')).toEqual(['MW-1', 'MW-2', 'MW-3', 'MW-4', 'MW-5', 'OM-1', 'OX-1']);
    expect(await ids('admin')).toEqual(['MW-1', 'MW-2', 'MW-3', 'MW-4', 'MW-5', 'OM-1', 'OX-1']);
  });

  it("shows another organisation's key none of a stranger's batches", async () => {
    expect(await ids('stranger')).toEqual([]);
    expect(await ids('customs-de')).toEqual([]);
    expect(await ids('othermine')).not.toContain('MW-1');
    expect(await ids('mineco')).not.toContain('OM-1');
    expect(await ids('stranger', 'q=MW')).toEqual([]);
  });

  it('shows each row as GET /batches/{id} shows it to the reader', async () => {
    const reply = await list('mineco', 'q=MW-1');
    expect(reply.body.batches).toHaveLength(1);
    const [row] = reply.body.batches;
    const single = await ledger.get<Record<string, unknown>>(
      `/batches/MW-1?minPosition=${head}`,
      keys.mineco!,
    );
    const { timeline: _timeline, openShipment: _open, ...expected } = single.body;
    expect(row).toEqual(expected);
    expect(row!.status).toBe('left_custody');
  });

  it('filters by status, material form, custodian and id prefix', async () => {
    expect(await ids('audit', 'status=held')).toEqual(['MW-2']);
    expect(await ids('audit', 'form=oxide')).toEqual(['OX-1']);
    expect(await ids('audit', 'custodian=refco')).toEqual(['MW-1', 'OX-1']);
    expect(await ids('audit', 'custodian=refco&form=concentrate')).toEqual(['MW-1']);
    expect(await ids('audit', 'q=MW-')).toEqual(['MW-1', 'MW-2', 'MW-3', 'MW-4', 'MW-5']);
    expect(await ids('audit', 'q=OX')).toEqual(['OX-1']);
    // Filters match what the reader is shown: MineCo sees MW-1 `left_custody`, with the receiver it
    // shipped to as custodian (its segment ends with that receipt), never OX-1, which RefCo made of it.
    expect(await ids('mineco', 'custodian=refco')).toEqual(['MW-1']);
    expect(await ids('mineco', 'status=left_custody')).toEqual(['MW-1']);
    expect(await ids('mineco', 'status=in_custody')).toEqual(['MW-3', 'MW-4', 'MW-5']);
  });

  it('pages with an opaque cursor until every batch was listed once', async () => {
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const reply: Awaited<ReturnType<typeof list>> = await list(
        'audit',
        `limit=2${cursor ? `&cursor=${cursor}` : ''}`,
      );
      expect(reply.status).toBe(200);
      expect(reply.body.batches.length).toBeLessThanOrEqual(2);
      seen.push(...reply.body.batches.map((batch) => batch.batchId));
      cursor = reply.body.next;
      pages++;
    } while (cursor !== null && pages < 10);
    expect(seen).toEqual(['MW-1', 'MW-2', 'MW-3', 'MW-4', 'MW-5', 'OM-1', 'OX-1']);
    expect(pages).toBe(4);
    // A page exactly full at the end says so: no cursor to an empty page.
    const whole = await list('mineco', 'limit=5');
    expect(whole.body.batches).toHaveLength(5);
    expect(whole.body.next).toBeNull();
  });

  it('refuses bad parameters with 400 problem+json and stable codes', async () => {
    await expectRefusal(await list('audit', 'status=lost'), 400, 'INVALID_FILTER');
    await expectRefusal(await list('audit', 'form=plutonium'), 400, 'INVALID_FILTER');
    await expectRefusal(await list('audit', 'custodian=%20bad%20'), 400, 'INVALID_FILTER');
    await expectRefusal(await list('audit', 'status=held&status=in_transit'), 400, 'INVALID_FILTER');
    await expectRefusal(await list('audit', 'colour=red'), 400, 'INVALID_FILTER');
    await expectRefusal(await list('audit', 'limit=0'), 400, 'INVALID_LIMIT');
    await expectRefusal(await list('audit', 'limit=101'), 400, 'INVALID_LIMIT');
    await expectRefusal(await list('audit', 'limit=two'), 400, 'INVALID_LIMIT');
    await expectRefusal(await list('audit', 'cursor=not-a-cursor'), 400, 'INVALID_CURSOR');
    const first = await list('audit', 'limit=2');
    // A cursor continues the query it came from, not another.
    await expectRefusal(
      await list('audit', `limit=2&form=oxide&cursor=${first.body.next!}`),
      400,
      'INVALID_CURSOR',
    );
    await expectRefusal(await ledger.get('/batches', 'tl_nobody_' + 'x'.repeat(43)), 401, 'INVALID_API_KEY');
  });
});
