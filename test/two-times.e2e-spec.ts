import { expectRefusal } from './support/expect-refusal';
import { LedgerHarness, standardParties } from './support/ledger-harness';

const HOUR = 60 * 60 * 1000;
const DAY = 24 * HOUR;
/** A moment relative to now (the ledger's clock is the machine's): `ago(2 * DAY)` is two days back. */
const ago = (ms: number) => new Date(Date.now() - ms).toISOString();

type Scheme = {
  scheme: string;
  chainCovered: boolean;
  certifiedShare: number;
  gaps: { step: string; batchId: string; reason: string; late: boolean }[];
};
type TimelineEntry = { type: string; occurredAt: string; recordedAt: string; late: boolean };

/**
 * Two times on every rule (ADR 0017): a rule judged only at the caller's `occurredAt` can be laundered by
 * back-dating, so the ledger also judges the moment it learnt of the event (`recordedAt`), bounds how far
 * back an event may be reported, and marks late reports in the views.
 */
describe('two times on every rule', () => {
  let ledger: LedgerHarness;
  let parties: Awaited<ReturnType<typeof standardParties>>;

  const created = async (path: string, token: string, body: unknown) => {
    const reply = await ledger.post<{ position: string }>(path, token, body);
    if (reply.status !== 201) throw new Error(`${path}: ${reply.status} ${JSON.stringify(reply.body)}`);
    return reply.body.position;
  };
  const mined = (batchId: string, occurredAt: string) => ({
    batchId,
    facilityId: 'mt-weld',
    material: { form: 'concentrate', elements: ['Nd', 'Pr'] },
    massKg: 1000,
    occurredAt,
  });
  const irma = async (batchId: string, minPosition: string) => {
    const reply = await ledger.get<{ schemes: Scheme[]; lateSteps: { batchId: string; step: string }[] }>(
      `/batches/${batchId}/certification?minPosition=${minPosition}`,
      parties.miner,
    );
    expect(reply.status).toBe(200);
    return {
      ...reply.body.schemes.find((scheme) => scheme.scheme === 'IRMA')!,
      lateSteps: reply.body.lateSteps,
    };
  };

  beforeAll(async () => {
    // The default bound (30 days), whatever the harness gives other suites.
    ledger = await LedgerHarness.start({ TRACELODE_MAX_RECORDING_DELAY: '30d' });
    parties = await standardParties(ledger);
  });
  afterAll(() => ledger.stop());

  describe('a licence must be in force when the export happened and when it is recorded', () => {
    const exportOf = (exportId: string, licenceId: string, occurredAt: string) => ({
      exportId,
      licenceId,
      destinationCountry: 'JP',
      consignee: 'Sojitz Corporation',
      endUser: 'Shin-Etsu Magnetics',
      hsCode: '2846.90',
      customsDeclarationNo: `K1-${exportId}`,
      port: 'AUFRE',
      occurredAt,
    });
    const licence = (licenceId: string, validUntil: string) => ({
      licenceId,
      holderOrgId: 'mineco',
      type: 'general',
      items: [{ form: 'concentrate', elements: ['Nd', 'Pr'], hsCode: '2846.90' }],
      destinations: ['JP'],
      quantityKg: 10000,
      validFrom: ago(60 * DAY),
      validUntil,
      occurredAt: ago(60 * DAY),
    });

    it('refuses a back-dated export under a licence that expired before it was recorded', async () => {
      await created('/licences', parties.regulator, licence('L-EXPIRED', ago(DAY)));
      await created('/batches/mined', parties.miner, mined('B-LAUNDER', ago(10 * DAY)));
      await expectRefusal(
        () =>
          ledger.post(
            '/batches/B-LAUNDER/exports',
            parties.miner,
            exportOf('E-1', 'L-EXPIRED', ago(2 * DAY)),
          ),
        422,
        'LICENCE_EXPIRED',
        ledger,
      );
    });

    it('still exports, back-dated, under a licence in force then and now', async () => {
      await created('/licences', parties.regulator, licence('L-OPEN', ago(-30 * DAY)));
      await created('/batches/mined', parties.miner, mined('B-FAIR', ago(10 * DAY)));
      const reply = await ledger.post(
        '/batches/B-FAIR/exports',
        parties.miner,
        exportOf('E-2', 'L-OPEN', ago(2 * DAY)),
      );
      expect(reply.status).toBe(201);
    });
  });

  describe('a certificate covers a step only if it was not suspended or revoked when the step was recorded', () => {
    it('does not let lots recorded after a revocation, back-dated before it, count as certified', async () => {
      await created('/certificates', parties.certifier, {
        certificateId: 'C-MINECO',
        scheme: 'IRMA',
        subject: { type: 'organisation', id: 'mineco' },
        validFrom: ago(365 * DAY),
        validUntil: ago(-365 * DAY),
        evidence: { sha256: 'a'.repeat(64), uri: 'https://audits.example/mineco.pdf' },
        occurredAt: ago(20 * DAY),
      });
      await created('/batches/mined', parties.miner, mined('B-BEFORE', ago(10 * DAY)));
      await created('/certificates/C-MINECO/revocations', parties.certifier, {
        reason: 'Audit fraud',
        occurredAt: ago(HOUR),
      });
      const head = await created('/batches/mined', parties.miner, mined('B-AFTER', ago(10 * DAY)));

      // Recorded before the revocation: stays covered (a revocation does not reach back over it).
      expect(await irma('B-BEFORE', head)).toMatchObject({ chainCovered: true, certifiedShare: 1, gaps: [] });
      // Recorded after it, claiming the same day: not covered.
      expect(await irma('B-AFTER', head)).toMatchObject({
        chainCovered: false,
        certifiedShare: 0,
        gaps: [{ step: 'BatchMined', batchId: 'B-AFTER', reason: 'REVOKED' }],
      });
    });
  });

  describe('a step is not dated back past the custody it needs', () => {
    const toFremantle = (shipmentId: string, occurredAt: string) => ({
      shipmentId,
      toOrgId: 'mineco',
      toFacilityId: 'fremantle',
      occurredAt,
    });
    /** A lot mined 20 days ago, shipped to the refiner 10 days ago and received by it 8 days ago. */
    const receivedByRefiner = async (batchId: string) => {
      await created('/batches/mined', parties.miner, mined(batchId, ago(20 * DAY)));
      await created(`/batches/${batchId}/shipments`, parties.miner, {
        shipmentId: `S-${batchId}`,
        toOrgId: 'refco',
        toFacilityId: 'kuantan',
        occurredAt: ago(10 * DAY),
      });
      await created(`/batches/${batchId}/receipts`, parties.refiner, {
        shipmentId: `S-${batchId}`,
        receivedMassKg: 1000,
        occurredAt: ago(8 * DAY),
      });
    };

    it('refuses the new custodian shipping, splitting, processing, blending or assaying a lot dated before it received it', async () => {
      await receivedByRefiner('B-RCV-1');
      await receivedByRefiner('B-RCV-2');
      const beforeReceipt = ago(9 * DAY);
      const attempts: [string, unknown][] = [
        ['/batches/B-RCV-1/shipments', toFremantle('S-EARLY', beforeReceipt)],
        [
          '/batches/B-RCV-1/shipments',
          { ...toFremantle('S-EARLY-PART', beforeReceipt), massKg: 10, shippedBatchId: 'B-RCV-1-P' },
        ],
        [
          '/batches/B-RCV-1/splits',
          { splitId: 'SP-EARLY', outputs: [{ batchId: 'B-RCV-1-S', massKg: 10 }], occurredAt: beforeReceipt },
        ],
        [
          '/transformations',
          {
            transformationId: 'T-EARLY',
            facilityId: 'kuantan',
            process: 'cracking_leaching',
            occurredAt: beforeReceipt,
            inputs: [{ batchId: 'B-RCV-1', consumedKg: 10 }],
            outputs: [
              { batchId: 'B-RCV-1-T', material: { form: 'mixed_compound', elements: ['Nd'] }, massKg: 5 },
            ],
            processEmissionsKgCo2e: 1,
          },
        ],
        [
          '/blends',
          {
            blendId: 'BL-EARLY',
            facilityId: 'kuantan',
            inputs: [
              { batchId: 'B-RCV-1', consumedKg: 10 },
              { batchId: 'B-RCV-2', consumedKg: 10 },
            ],
            output: { batchId: 'B-RCV-B', material: { form: 'concentrate', elements: ['Nd', 'Pr'] } },
            occurredAt: beforeReceipt,
          },
        ],
        [
          '/batches/B-RCV-1/assays',
          {
            assayId: 'A-EARLY',
            lab: 'ALS',
            method: 'ICP-MS',
            grade: { TREO: 40 },
            occurredAt: beforeReceipt,
          },
        ],
      ];
      for (const [path, body] of attempts) {
        const reply = await expectRefusal(
          () => ledger.post(path, parties.refiner, body),
          422,
          'OCCURRED_BEFORE_PREVIOUS_EVENT',
          ledger,
        );
        expect(reply.body.detail).toContain('custody of refco');
      }
      // From the receipt on, the refiner acts on it.
      await created('/batches/B-RCV-1/shipments', parties.refiner, toFremantle('S-AFTER', ago(7 * DAY)));
    });
  });

  describe('a hold reaches back to when it occurred, and its release not before it', () => {
    it('refuses a release dated before the hold it releases', async () => {
      await created('/batches/mined', parties.miner, mined('B-HOLD-ORDER', ago(20 * DAY)));
      await created('/batches/B-HOLD-ORDER/holds', parties.regulator, {
        reason: 'Inquiry',
        occurredAt: ago(10 * DAY),
      });
      await expectRefusal(
        () =>
          ledger.post('/batches/B-HOLD-ORDER/releases', parties.regulator, {
            reason: 'Cleared',
            occurredAt: ago(15 * DAY),
          }),
        422,
        'OCCURRED_BEFORE_PREVIOUS_EVENT',
        ledger,
      );
    });

    it('refuses a shipment or export recorded after the release but dated while the lot was held', async () => {
      await created('/licences', parties.regulator, {
        licenceId: 'L-HELD',
        holderOrgId: 'mineco',
        type: 'general',
        items: [{ form: 'concentrate', elements: ['Nd', 'Pr'], hsCode: '2846.90' }],
        destinations: ['JP'],
        quantityKg: 10000,
        validFrom: ago(60 * DAY),
        validUntil: ago(-60 * DAY),
        occurredAt: ago(60 * DAY),
      });
      await created('/batches/mined', parties.miner, mined('B-WAS-HELD', ago(20 * DAY)));
      await created('/batches/B-WAS-HELD/holds', parties.regulator, {
        reason: 'Inquiry',
        occurredAt: ago(10 * DAY),
      });
      await created('/batches/B-WAS-HELD/releases', parties.regulator, {
        reason: 'Cleared',
        occurredAt: ago(2 * DAY),
      });
      const shipped = (shipmentId: string, occurredAt: string) => ({
        shipmentId,
        toOrgId: 'refco',
        toFacilityId: 'kuantan',
        occurredAt,
      });
      const reply = await expectRefusal(
        () => ledger.post('/batches/B-WAS-HELD/shipments', parties.miner, shipped('S-IN-HOLD', ago(5 * DAY))),
        422,
        'BATCH_HELD',
        ledger,
      );
      expect(reply.body.details).toMatchObject({ occurredAt: expect.any(String) as string });
      await expectRefusal(
        () =>
          ledger.post('/batches/B-WAS-HELD/exports', parties.miner, {
            exportId: 'E-IN-HOLD',
            licenceId: 'L-HELD',
            destinationCountry: 'JP',
            consignee: 'Sojitz Corporation',
            endUser: 'Shin-Etsu Magnetics',
            hsCode: '2846.90',
            customsDeclarationNo: 'K1-E-IN-HOLD',
            port: 'AUFRE',
            occurredAt: ago(5 * DAY),
          }),
        422,
        'BATCH_HELD',
        ledger,
      );
      // Dated after the release, or before the hold, it stands.
      await created('/batches/B-WAS-HELD/shipments', parties.miner, shipped('S-AFTER-HOLD', ago(DAY)));
    });
  });

  describe('a correction launders no time a command could not', () => {
    const eventOf = async (
      batchId: string,
      token: string,
      position: string,
      matches: (e: Recorded) => boolean,
    ) => {
      const reply = await ledger.get<Recorded[]>(`/batches/${batchId}/events?minPosition=${position}`, token);
      return reply.body.find(matches)!.eventId;
    };
    type Recorded = { type: string; eventId: string; data: { shipmentId?: string } };
    const correctTime = (eventId: string, token: string, correctionId: string, occurredAt: string) =>
      ledger.post(`/events/${eventId}/corrections`, token, {
        correctionId,
        reason: 'Wrong date',
        changes: { occurredAt },
      });

    it('refuses moving the new custodian’s shipment to before its receipt', async () => {
      await created('/batches/mined', parties.miner, mined('B-CORR-RCV', ago(20 * DAY)));
      await created('/batches/B-CORR-RCV/shipments', parties.miner, {
        shipmentId: 'S-CORR-1',
        toOrgId: 'refco',
        toFacilityId: 'kuantan',
        occurredAt: ago(10 * DAY),
      });
      await created('/batches/B-CORR-RCV/receipts', parties.refiner, {
        shipmentId: 'S-CORR-1',
        receivedMassKg: 1000,
        occurredAt: ago(8 * DAY),
      });
      const position = await created('/batches/B-CORR-RCV/shipments', parties.refiner, {
        shipmentId: 'S-CORR-2',
        toOrgId: 'mineco',
        toFacilityId: 'fremantle',
        occurredAt: ago(6 * DAY),
      });
      const shipped = await eventOf(
        'B-CORR-RCV',
        parties.refiner,
        position,
        (e) => e.data.shipmentId === 'S-CORR-2',
      );
      await expectRefusal(
        () => correctTime(shipped, parties.refiner, 'CR-BEFORE-RCV', ago(9 * DAY)),
        422,
        'OCCURRED_BEFORE_PREVIOUS_EVENT',
        ledger,
      );
      expect((await correctTime(shipped, parties.refiner, 'CR-AFTER-RCV', ago(7 * DAY))).status).toBe(201);
    });

    it('refuses moving a shipment into a hold since released, and a release before its hold', async () => {
      await created('/batches/mined', parties.miner, mined('B-CORR-HELD', ago(20 * DAY)));
      await created('/batches/B-CORR-HELD/holds', parties.regulator, {
        reason: 'Inquiry',
        occurredAt: ago(10 * DAY),
      });
      await created('/batches/B-CORR-HELD/releases', parties.regulator, {
        reason: 'Cleared',
        occurredAt: ago(5 * DAY),
      });
      const position = await created('/batches/B-CORR-HELD/shipments', parties.miner, {
        shipmentId: 'S-CORR-HELD',
        toOrgId: 'refco',
        toFacilityId: 'kuantan',
        occurredAt: ago(DAY),
      });
      const shipped = await eventOf('B-CORR-HELD', parties.miner, position, (e) => e.type === 'BatchShipped');
      await expectRefusal(
        () => correctTime(shipped, parties.miner, 'CR-INTO-HOLD', ago(7 * DAY)),
        422,
        'BATCH_HELD',
        ledger,
      );
      const released = await eventOf(
        'B-CORR-HELD',
        parties.regulator,
        position,
        (e) => e.type === 'BatchReleased',
      );
      await expectRefusal(
        () => correctTime(released, parties.regulator, 'CR-RELEASE-EARLY', ago(12 * DAY)),
        422,
        'OCCURRED_BEFORE_PREVIOUS_EVENT',
        ledger,
      );
    });
  });

  describe('an event may be recorded at most TRACELODE_MAX_RECORDING_DELAY after it occurred', () => {
    it('refuses a mined lot reported 31 days late, writing nothing', async () => {
      const reply = await expectRefusal(
        () => ledger.post('/batches/mined', parties.miner, mined('B-TOO-LATE', ago(31 * DAY))),
        422,
        'RECORDED_TOO_LATE',
        ledger,
      );
      expect(reply.body.detail).toContain('30 days');
    });

    it('refuses a certificate dated 31 days back the same way (a certifier is no regulator)', async () => {
      await expectRefusal(
        () =>
          ledger.post('/certificates', parties.certifier, {
            certificateId: 'C-LATE',
            scheme: 'IRMA',
            subject: { type: 'organisation', id: 'refco' },
            validFrom: ago(365 * DAY),
            validUntil: ago(-365 * DAY),
            evidence: { sha256: 'b'.repeat(64), uri: 'https://audits.example/refco.pdf' },
            occurredAt: ago(31 * DAY),
          }),
        422,
        'RECORDED_TOO_LATE',
        ledger,
      );
    });

    it('accepts a report 29 days late', async () => {
      const reply = await ledger.post('/batches/mined', parties.miner, mined('B-IN-TIME', ago(29 * DAY)));
      expect(reply.status).toBe(201);
    });

    it('lets a regulator record what it learns later (a hold dated 90 days back)', async () => {
      const reply = await ledger.post('/batches/B-IN-TIME/holds', parties.regulator, {
        reason: 'Found in an old inquiry file',
        occurredAt: ago(90 * DAY),
      });
      expect(reply.status).toBe(201);
    });
  });

  describe('late reports are marked in the views', () => {
    it('marks a step recorded more than 72 hours after it occurred, in custody and certification', async () => {
      await created('/batches/mined', parties.miner, mined('B-PROMPT', ago(HOUR)));
      const head = await created('/batches/mined', parties.miner, mined('B-LATE', ago(4 * DAY)));
      const timeline = async (batchId: string) => {
        const reply = await ledger.get<{ timeline: TimelineEntry[] }>(
          `/batches/${batchId}?minPosition=${head}`,
          parties.miner,
        );
        expect(reply.status).toBe(200);
        return reply.body.timeline;
      };
      expect(await timeline('B-PROMPT')).toMatchObject([{ type: 'BatchMined', late: false }]);
      expect(await timeline('B-LATE')).toMatchObject([{ type: 'BatchMined', late: true }]);
      const late = await irma('B-LATE', head);
      expect(late.gaps).toMatchObject([{ step: 'BatchMined', batchId: 'B-LATE', late: true }]);
      expect(late.lateSteps).toMatchObject([{ step: 'BatchMined', batchId: 'B-LATE' }]);
      expect((await irma('B-PROMPT', head)).lateSteps).toEqual([]);
    });
  });
});

describe('a shorter recording window (TRACELODE_MAX_RECORDING_DELAY=72h)', () => {
  let ledger: LedgerHarness;
  let parties: Awaited<ReturnType<typeof standardParties>>;
  beforeAll(async () => {
    ledger = await LedgerHarness.start({ TRACELODE_MAX_RECORDING_DELAY: '72h' });
    parties = await standardParties(ledger);
  });
  afterAll(() => ledger.stop());

  it('refuses a lot reported four days late and accepts one two days late', async () => {
    const lot = (batchId: string, occurredAt: string) => ({
      batchId,
      facilityId: 'mt-weld',
      material: { form: 'concentrate', elements: ['Nd'] },
      massKg: 10,
      occurredAt,
    });
    await expectRefusal(
      () => ledger.post('/batches/mined', parties.miner, lot('B-4D', ago(4 * DAY))),
      422,
      'RECORDED_TOO_LATE',
      ledger,
    );
    expect((await ledger.post('/batches/mined', parties.miner, lot('B-2D', ago(2 * DAY)))).status).toBe(201);
  });
});
