import { expectRefusal } from './support/expect-refusal';
import {
  ADMIN_TOKEN,
  generalLicence,
  LedgerHarness,
  minedBatch,
  shipment,
  standardParties,
} from './support/ledger-harness';

/**
 * Trust boundaries: a regulator acts within its country and on what it granted or held; the admin is the
 * operator, not a role; API keys are issued and revoked; a certifier assays only what it is engaged on;
 * and the caps on analytes, documents and certificates. Every refusal writes nothing.
 */
describe('trust boundaries', () => {
  let ledger: LedgerHarness;
  let parties: Awaited<ReturnType<typeof standardParties>>;
  let regulatorMy: string;
  let regulatorAu2: string;
  let otherCertifier: string;

  const created = async (path: string, token: string, body: unknown) => {
    const reply = await ledger.post<{ position: string }>(path, token, body);
    if (reply.status !== 201) throw new Error(`${path}: ${reply.status} ${JSON.stringify(reply.body)}`);
    return reply.body.position;
  };
  const licence = generalLicence;
  const change = { reason: 'review', occurredAt: '2026-02-01T00:00:00Z' };
  const hold = { reason: 'inquiry', occurredAt: '2026-03-06T00:00:00Z' };
  const certificate = (certificateId: string, subject: Record<string, string>) => ({
    certificateId,
    scheme: 'IRMA',
    subject,
    validFrom: '2026-01-01T00:00:00Z',
    validUntil: '2027-01-01T00:00:00Z',
    evidence: { sha256: 'a'.repeat(64), uri: 'https://audits.example/report.pdf' },
    occurredAt: '2026-01-01T00:00:00Z',
  });
  const assay = (assayId: string, grade: Record<string, number> = { TREO: 40 }) => ({
    assayId,
    lab: 'ALS Perth',
    method: 'ICP-MS',
    grade,
    occurredAt: '2026-03-02T10:00:00+08:00',
  });

  beforeAll(async () => {
    ledger = await LedgerHarness.start();
    parties = await standardParties(ledger);
    regulatorMy = await ledger.organisation('customs-my', 'MY', ['regulator']);
    regulatorAu2 = await ledger.organisation('ags-au', 'AU', ['regulator']);
    otherCertifier = await ledger.organisation('rmi-audit', 'US', ['certifier']);
    await created('/licences', parties.regulator, licence('L-AU'));
    for (const batchId of ['J-1', 'J-2', 'J-3', 'A-1', 'A-2']) {
      await created('/batches/mined', parties.miner, minedBatch(batchId, 1000));
    }
    await created('/batches/J-2/shipments', parties.miner, shipment('S-J-2'));
  });
  afterAll(() => ledger.stop());

  describe('jurisdiction', () => {
    it('refuses a licence for a holder outside the regulator’s country', () =>
      expectRefusal(
        () => ledger.post('/licences', regulatorMy, licence('L-MY')),
        403,
        'OUTSIDE_JURISDICTION',
        ledger,
      ));

    it('lets a regulator license holders of its own country', () =>
      created('/licences', regulatorMy, licence('L-MY-REF', 'refco')));

    it.each([
      ['amendments', { ...change, changes: { destinations: ['JP', 'RU'], quantityKg: 99999 } }],
      ['suspensions', change],
      ['reinstatements', change],
      ['revocations', change],
    ])(
      'refuses %s of a licence by any authority but the one that granted it, which may not read it: as if it did not exist',
      async (path, body) => {
        for (const token of [regulatorMy, regulatorAu2]) {
          await expectRefusal(
            () => ledger.post(`/licences/L-AU/${path}`, token, body),
            404,
            'LICENCE_NOT_FOUND',
            ledger,
          );
        }
      },
    );

    it('refuses a hold on a lot at a facility of another country, which that regulator may not read: as if it did not exist', () =>
      expectRefusal(
        () => ledger.post('/batches/J-1/holds', regulatorMy, hold),
        404,
        'BATCH_NOT_FOUND',
        ledger,
      ));

    it('holds a lot in transit from the regulator’s country, not from another’s', async () => {
      // On its way to Malaysia, the lot is not yet the Malaysian regulator's to read (nor to hold).
      await expectRefusal(
        () => ledger.post('/batches/J-2/holds', regulatorMy, hold),
        404,
        'BATCH_NOT_FOUND',
        ledger,
      );
      await created('/batches/J-2/holds', parties.regulator, hold);
    });

    it('lets only the holding authority, or a regulator of its country, release a hold', async () => {
      await created('/batches/J-1/holds', parties.regulator, hold);
      await expectRefusal(
        () => ledger.post('/batches/J-1/releases', regulatorMy, { ...hold, reason: 'cleared' }),
        404,
        'BATCH_NOT_FOUND',
        ledger,
      );
      await created('/batches/J-1/releases', regulatorAu2, { ...hold, reason: 'cleared' });
    });
  });

  describe('the admin is the operator', () => {
    it.each([[['admin']], [['producer', 'admin']]])(
      'refuses to register an organisation with roles %j',
      (roles) =>
        expectRefusal(
          () => ledger.post('/orgs', ADMIN_TOKEN, { orgId: 'root-co', name: 'Root', country: 'AU', roles }),
          400,
          'VALIDATION_FAILED',
          ledger,
        ),
    );

    it('refuses another organisation managing the keys', () =>
      expectRefusal(
        () => ledger.post('/orgs/mineco/api-keys', parties.refiner, {}),
        403,
        'NOT_YOUR_ORGANISATION',
        ledger,
      ));
  });

  describe('API keys', () => {
    it('issues another key, revokes the first, and refuses the revoked key on the next request', async () => {
      const registered = await ledger.post<{ keyId: string; apiKey: string }>('/orgs', ADMIN_TOKEN, {
        orgId: 'keyco',
        name: 'KeyCo',
        country: 'AU',
        roles: ['auditor'], // reads every lot (docs/visibility.md): a read shows whether its key works
      });
      const { keyId: firstKeyId, apiKey: first } = registered.body;
      const issued = await ledger.post<{ keyId: string; apiKey: string }>('/orgs/keyco/api-keys', first, {
        label: 'ci',
      });
      expect(issued.status).toBe(201);
      expect(issued.body.apiKey).toMatch(/^tl_keyco_/);
      const second = issued.body.apiKey;
      await created(`/orgs/keyco/api-keys/${firstKeyId}/revoke`, second, { reason: 'rotated' });
      await expectRefusal(await ledger.get('/batches/J-1', first), 401, 'INVALID_API_KEY');
      expect((await ledger.get('/batches/J-1', second)).status).toBe(200);
      await expectRefusal(
        () => ledger.post(`/orgs/keyco/api-keys/${firstKeyId}/revoke`, second, {}),
        409,
        'API_KEY_ALREADY_REVOKED',
        ledger,
      );
      await expectRefusal(
        () => ledger.post('/orgs/keyco/api-keys/no-such-key/revoke', second, {}),
        404,
        'API_KEY_NOT_FOUND',
        ledger,
      );
      await expectRefusal(
        () => ledger.post(`/orgs/keyco/api-keys/${issued.body.keyId}/revoke`, second, {}),
        409,
        'API_KEY_LAST_ACTIVE',
        ledger,
      );
      // The operator may: the organisation is then locked out until the operator issues it a new key.
      await created(`/orgs/keyco/api-keys/${issued.body.keyId}/revoke`, ADMIN_TOKEN, {});
      await expectRefusal(await ledger.get('/batches/J-1', second), 401, 'INVALID_API_KEY');
      const rescue = await ledger.post<{ apiKey: string }>('/orgs/keyco/api-keys', ADMIN_TOKEN, {});
      expect((await ledger.get('/batches/J-1', rescue.body.apiKey)).status).toBe(200);
    });

    it('keeps key hashes out of audit bundles', async () => {
      await created('/orgs/mineco/api-keys', parties.miner, {});
      // The whole bundle: a regulator of the country the lot was mined in (docs/visibility.md).
      const bundle = await ledger.get('/batches/J-3/audit-bundle', parties.regulator);
      expect(bundle.status).toBe(200);
      const text = JSON.stringify(bundle.body);
      expect(text).toContain('org-mineco');
      expect(text).not.toContain('keySha256');
      expect(text).not.toContain('ApiKeyIssued');
    });
  });

  describe('what a refusal tells', () => {
    it('tells only the custodian how much of a lot is left: another organisation’s partial shipment is refused as any shipment', async () => {
      const probe = (batchId: string) =>
        ledger.post(`/batches/${batchId}/shipments`, parties.refiner, {
          ...shipment('S-PROBE'),
          toOrgId: 'mineco',
          toFacilityId: 'fremantle',
          massKg: 0.001,
        });
      // The refiner may know J-2, on its way to it, but not hold it; J-1 it may not even read.
      const known = await probe('J-2');
      expect(known.status).toBeGreaterThanOrEqual(400);
      expect((known.body as { code: string }).code).not.toBe('PARTIAL_SHIPMENT_NEEDS_BATCH_ID');
      expect(JSON.stringify(known.body)).not.toMatch(/remaining|1000000/);
      const reply = await expectRefusal(() => probe('J-1'), 404, 'BATCH_NOT_FOUND', ledger);
      expect(JSON.stringify(reply.body)).not.toMatch(/remaining|1000000/);
    });
  });

  describe('certifier engagement', () => {
    it('refuses an assay by a certifier with no certificate of the custodian: a lot it may not read', () =>
      expectRefusal(
        () => ledger.post('/batches/A-1/assays', parties.certifier, assay('AS-1')),
        404,
        'BATCH_NOT_FOUND',
        ledger,
      ));

    it('lets the custodian assay its own lot', () =>
      created('/batches/A-1/assays', parties.miner, assay('AS-OWN')));

    it('lets a certifier engaged on the custodian organisation, or its facility, assay', async () => {
      await created(
        '/certificates',
        parties.certifier,
        certificate('C-ORG', { type: 'organisation', id: 'mineco' }),
      );
      await created('/batches/A-1/assays', parties.certifier, assay('AS-2'));
      await expectRefusal(
        () => ledger.post('/batches/A-1/assays', otherCertifier, assay('AS-3')),
        404,
        'BATCH_NOT_FOUND',
        ledger,
      );
      await created(
        '/certificates',
        otherCertifier,
        certificate('C-FAC', { type: 'facility', id: 'mt-weld', orgId: 'mineco' }),
      );
      await created('/batches/A-1/assays', otherCertifier, assay('AS-3'));
    });

    it('refuses a certifier whose certificate is revoked: the lot is no longer its to read', async () => {
      await created('/certificates/C-FAC/revocations', otherCertifier, change);
      await expectRefusal(
        () => ledger.post('/batches/A-2/assays', otherCertifier, assay('AS-4')),
        404,
        'BATCH_NOT_FOUND',
        ledger,
      );
    });
  });

  describe('caps', () => {
    it('refuses a grade of more than 64 analytes', () => {
      const grade = Object.fromEntries(Array.from({ length: 65 }, (_, i) => [`A${i}`, 0.1]));
      return expectRefusal(
        () => ledger.post('/batches/A-2/assays', parties.miner, assay('AS-BIG', grade)),
        400,
        'VALIDATION_FAILED',
        ledger,
      );
    });

    it('refuses a shipment with more than 20 documents', () => {
      const documents = Array.from({ length: 21 }, (_, i) => ({ type: 'invoice', number: `INV-${i}` }));
      return expectRefusal(
        () => ledger.post('/batches/A-2/shipments', parties.miner, { ...shipment('S-DOCS'), documents }),
        400,
        'VALIDATION_FAILED',
        ledger,
      );
    });

    it('refuses a certifier’s 101st valid certificate for one subject', async () => {
      const subject = { type: 'organisation', id: 'refco' };
      for (let i = 0; i < 100; i++)
        await created('/certificates', otherCertifier, certificate(`C-CAP-${i}`, subject));
      await expectRefusal(
        () => ledger.post('/certificates', otherCertifier, certificate('C-CAP-100', subject)),
        422,
        'CERTIFICATE_LIMIT_REACHED',
        ledger,
      );
      await created('/certificates/C-CAP-0/revocations', otherCertifier, change);
      await created('/certificates', otherCertifier, certificate('C-CAP-100', subject));
    });
  });
});
