import { expectRefusal } from './support/expect-refusal';
import { LedgerHarness, minedBatch, shipment, standardParties } from './support/ledger-harness';

/**
 * Hand-checked certification. Two mined lots (mineco, IRMA-certified as an organisation) go to refco's
 * Kuantan refinery (IRMA-certified as a facility, but suspended 10–17 March). M-A is refined on 8 March
 * (covered), M-B on 12 March (the suspended week: a gap), and 600 kg of OX-A plus 200 kg of OX-B make MET-1
 * on 20 March (covered again). MET-1's chain has exactly one gap, and its certified share is 600/800 = 0.75.
 */
describe('certification through the chain', () => {
  let ledger: LedgerHarness;
  let parties: Awaited<ReturnType<typeof standardParties>>;
  let otherCertifier: string;

  const created = async (path: string, token: string, body: unknown) => {
    const reply = await ledger.post<{ position: string }>(path, token, body);
    if (reply.status !== 201) throw new Error(`${path}: ${reply.status} ${JSON.stringify(reply.body)}`);
    return reply.body.position;
  };
  const certificate = (
    certificateId: string,
    subject: { type: string; id: string; orgId?: string },
    scheme = 'IRMA',
  ) => ({
    certificateId,
    scheme,
    level: 'IRMA 75',
    subject,
    validFrom: '2026-01-01T00:00:00Z',
    validUntil: '2027-01-01T00:00:00Z',
    evidence: { sha256: 'a'.repeat(64), uri: 'https://audits.example/report.pdf' },
    occurredAt: '2026-01-01T00:00:00Z',
  });
  const refine = (
    transformationId: string,
    occurredAt: string,
    inputs: [string, number][],
    out: [string, number],
  ) =>
    created('/transformations', parties.refiner, {
      transformationId,
      facilityId: 'kuantan',
      process: 'solvent_extraction',
      occurredAt,
      inputs: inputs.map(([batchId, consumedKg]) => ({ batchId, consumedKg })),
      outputs: [{ batchId: out[0], material: { form: 'oxide', elements: ['Nd', 'Pr'] }, massKg: out[1] }],
      processEmissionsKgCo2e: 1,
    });

  type Scheme = {
    scheme: string;
    chainCovered: boolean;
    certifiedShare: number;
    direct: { certificateId: string }[];
    certificates: { certificateId: string; status: string; revokedAt: string | null }[];
    gaps: { step: string; batchId: string; facilityId: string; occurredAt: string; reason: string }[];
  };
  const irma = async (batchId: string, minPosition?: string) => {
    const query = minPosition ? `?minPosition=${minPosition}` : '';
    const reply = await ledger.get<{ schemes: Scheme[] }>(
      `/batches/${batchId}/certification${query}`,
      parties.certifier, // engaged on the chain: it certifies the miner and the refinery (docs/visibility.md)
    );
    expect(reply.status).toBe(200);
    return reply.body.schemes.find((scheme) => scheme.scheme === 'IRMA')!;
  };

  beforeAll(async () => {
    ledger = await LedgerHarness.start();
    parties = await standardParties(ledger);
    otherCertifier = await ledger.organisation('rmi-audit', 'US', ['certifier']);
    await created(
      '/certificates',
      parties.certifier,
      certificate('C-MINE', { type: 'organisation', id: 'mineco' }),
    );
    await created(
      '/certificates',
      parties.certifier,
      certificate('C-REF', { type: 'facility', id: 'kuantan', orgId: 'refco' }),
    );
    await created('/certificates/C-REF/suspensions', parties.certifier, {
      reason: 'Tailings audit finding',
      occurredAt: '2026-03-10T00:00:00Z',
    });
    await created('/certificates/C-REF/reinstatements', parties.certifier, {
      reason: 'Corrective action closed',
      occurredAt: '2026-03-17T00:00:00Z',
    });
    for (const id of ['M-A', 'M-B']) {
      await created('/batches/mined', parties.miner, minedBatch(id, 1000));
      await created(`/batches/${id}/shipments`, parties.miner, shipment(`S-${id}`));
      await created(`/batches/${id}/receipts`, parties.refiner, {
        shipmentId: `S-${id}`,
        receivedMassKg: 1000,
        occurredAt: '2026-03-06T00:00:00Z',
      });
    }
    await refine('T-A', '2026-03-08T00:00:00Z', [['M-A', 1000]], ['OX-A', 800]);
    await refine('T-B', '2026-03-12T00:00:00Z', [['M-B', 1000]], ['OX-B', 800]);
    await refine(
      'T-C',
      '2026-03-20T00:00:00Z',
      [
        ['OX-A', 600],
        ['OX-B', 200],
      ],
      ['MET-1', 700],
    );
    await created(
      '/certificates',
      otherCertifier,
      certificate('C-LOT', { type: 'batch', id: 'MET-1' }, 'RMI-RMAP'),
    );
  });
  afterAll(() => ledger.stop());

  it('covers a batch refined before the suspension', async () => {
    const head = String(await ledger.eventCount());
    expect(await irma('OX-A', head)).toMatchObject({ chainCovered: true, certifiedShare: 1, gaps: [] });
  });

  it('shows the gap on a batch refined in the suspended week', async () => {
    expect(await irma('OX-B')).toMatchObject({
      chainCovered: false,
      certifiedShare: 0,
      gaps: [
        {
          step: 'BatchProduced',
          batchId: 'OX-B',
          facilityId: 'kuantan',
          occurredAt: '2026-03-12T00:00:00Z',
          reason: 'SUSPENDED',
        },
      ],
    });
  });

  it('carries exactly that gap down the chain, with the exact certified share', async () => {
    const metal = await irma('MET-1');
    expect(metal.chainCovered).toBe(false);
    expect(metal.certifiedShare).toBe(0.75);
    expect(metal.gaps.map(({ step, batchId, reason }) => ({ step, batchId, reason }))).toEqual([
      { step: 'BatchProduced', batchId: 'OX-B', reason: 'SUSPENDED' },
    ]);
  });

  it('lists certificates of the batch itself as direct', async () => {
    const reply = await ledger.get<{ schemes: Scheme[] }>('/batches/MET-1/certification', parties.certifier);
    const rmi = reply.body.schemes.find((scheme) => scheme.scheme === 'RMI-RMAP')!;
    expect(rmi.direct.map((c) => c.certificateId)).toEqual(['C-LOT']);
  });

  it('does not let a later revocation rewrite history, and says when it was revoked', async () => {
    const position = await created('/certificates/C-MINE/revocations', parties.certifier, {
      reason: 'Fraudulent records discovered',
      occurredAt: '2026-03-25T00:00:00Z',
    });
    const metal = await irma('MET-1', position);
    expect(metal.certifiedShare).toBe(0.75);
    expect(metal.gaps).toHaveLength(1);
    expect(metal.certificates.find((c) => c.certificateId === 'C-MINE')).toMatchObject({
      status: 'revoked',
      revokedAt: '2026-03-25T00:00:00Z',
    });
    const view = await ledger.get('/certificates/C-MINE', parties.regulator);
    expect(view.body).toMatchObject({ status: 'revoked', revokedAt: '2026-03-25T00:00:00Z' });
  });

  it('lets only the issuing certifier change a certificate', async () => {
    await expectRefusal(
      () =>
        ledger.post('/certificates/C-REF/suspensions', otherCertifier, {
          reason: 'not mine to suspend',
          occurredAt: '2026-04-01T00:00:00Z',
        }),
      403,
      'NOT_ISSUING_CERTIFIER',
      ledger,
    );
  });
});
