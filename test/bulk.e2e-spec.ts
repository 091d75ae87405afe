import { expectRefusal } from './support/expect-refusal';
import { LedgerHarness, minedBatch, shipment, standardParties } from './support/ledger-harness';

/** Splits and partial shipments over HTTP: what they write, what the views show, what they refuse. */
describe('bulk lots: splits and partial shipments', () => {
  let ledger: LedgerHarness;
  let parties: Awaited<ReturnType<typeof standardParties>>;

  beforeAll(async () => {
    ledger = await LedgerHarness.start();
    parties = await standardParties(ledger);
  });
  afterAll(() => ledger.stop());

  /** A view once the views have caught up with the log's head. */
  const view = async <T = Record<string, unknown>>(path: string): Promise<T> => {
    const head = await ledger.eventCount();
    const reply = await ledger.get<T>(
      `${path}${path.includes('?') ? '&' : '?'}minPosition=${head}`,
      parties.miner,
    );
    expect(reply.status).toBe(200);
    return reply.body;
  };
  const mine = async (batchId: string, massKg: number, extractionEmissionsKgCo2e?: number) => {
    const body = {
      ...minedBatch(batchId, massKg),
      ...(extractionEmissionsKgCo2e ? { extractionEmissionsKgCo2e } : {}),
    };
    expect((await ledger.post('/batches/mined', parties.miner, body)).status).toBe(201);
  };
  const split = (batchId: string, splitId: string, outputs: [string, number][]) =>
    ledger.post(`/batches/${batchId}/splits`, parties.miner, {
      splitId,
      outputs: outputs.map(([id, massKg]) => ({ batchId: id, massKg })),
      occurredAt: '2026-03-02T08:00:00+08:00',
    });

  it('splits child lots off a lot: the rest stays, and each child carries its origins and carbon exactly', async () => {
    await mine('SPL-1', 25000, 5000); // 0.2 kg CO2e/kg
    const reply = await split('SPL-1', 'SP-1', [
      ['SPL-1-A', 10000],
      ['SPL-1-B', 8000.5],
    ]);
    expect(reply.status).toBe(201);
    expect(reply.body).toMatchObject({
      batchId: 'SPL-1',
      splitId: 'SP-1',
      outputBatchIds: ['SPL-1-A', 'SPL-1-B'],
    });

    expect(await view('/batches/SPL-1')).toMatchObject({
      massKg: 25000,
      remainingMassKg: 6999.5,
      status: 'in_custody',
    });
    expect(await view('/batches/SPL-1-B')).toMatchObject({
      massKg: 8000.5,
      remainingMassKg: 8000.5,
      status: 'in_custody',
      custodian: { orgId: 'mineco', facilityId: 'mt-weld' },
      material: { form: 'concentrate', elements: ['Nd', 'Pr'] },
    });
    expect(await view('/batches/SPL-1-B/provenance')).toMatchObject({
      parents: [{ batchId: 'SPL-1', consumedKg: 8000.5, transformationId: 'SP-1' }],
      origins: [{ batchId: 'SPL-1', massFraction: 1, country: 'AU' }],
    });
    // 8,000.5 kg at the parent's 0.2 kg CO2e/kg: 1,600.1 kg CO2e, all of it extraction at mt-weld.
    const carbon = await view<{ intensityKgCo2ePerKg: number; embodiedKgCo2e: number; breakdown: unknown[] }>(
      '/batches/SPL-1-B/carbon',
    );
    expect(carbon.intensityKgCo2ePerKg).toBeCloseTo(0.2, 12);
    expect(carbon.embodiedKgCo2e).toBeCloseTo(1600.1, 9);
    expect(carbon.breakdown).toEqual([
      {
        transformationId: null,
        process: 'extraction',
        facilityId: 'mt-weld',
        kgCo2e: expect.closeTo(1600.1, 9),
      },
    ]);
    expect(await view('/batches/SPL-1/provenance?direction=descendants')).toMatchObject({
      descendants: [
        { batchId: 'SPL-1-A', depth: 1, viaTransformationId: 'SP-1' },
        { batchId: 'SPL-1-B', depth: 1, viaTransformationId: 'SP-1' },
      ],
    });
  });

  it('refuses a split over the remaining mass, writing nothing', async () => {
    await mine('SPL-2', 1000);
    const refused = await expectRefusal(
      () =>
        split('SPL-2', 'SP-2', [
          ['SPL-2-A', 600],
          ['SPL-2-B', 400.001],
        ]),
      422,
      'SPLIT_EXCEEDS_REMAINING',
      ledger,
    );
    expect(refused.body.details).toMatchObject({ remainingGrams: 1_000_000, splitGrams: 1_000_001 });
    await expectRefusal(() => split('SPL-2', 'SP-2', []), 400, 'VALIDATION_FAILED', ledger);
    await expectRefusal(
      () =>
        ledger.post('/batches/SPL-2/splits', parties.refiner, {
          splitId: 'X',
          outputs: [{ batchId: 'SPL-2-X', massKg: 1 }],
          occurredAt: '2026-03-02T08:00:00+08:00',
        }),
      404, // never held by the refiner, nor readable by it: as if it did not exist
      'BATCH_NOT_FOUND',
      ledger,
    );
  });

  it('ships part of a lot: the quantity is split off and shipped in one append, the rest stays', async () => {
    await mine('PART-1', 10000);
    const before = await ledger.eventCount();
    const shipped = await ledger.post('/batches/PART-1/shipments', parties.miner, {
      ...shipment('SHP-P1'),
      massKg: 3000,
      shippedBatchId: 'PART-1-S',
    });
    expect(shipped.status).toBe(201);
    expect(shipped.body).toMatchObject({
      batchId: 'PART-1',
      shipmentId: 'SHP-P1',
      shippedBatchId: 'PART-1-S',
    });
    expect(await ledger.eventCount()).toBe(before + 3); // BatchSplit, BatchSplitOff, BatchShipped
    expect(await view('/batches/PART-1')).toMatchObject({ remainingMassKg: 7000, status: 'in_custody' });
    expect(await view('/batches/PART-1-S')).toMatchObject({
      massKg: 3000,
      status: 'in_transit',
      openShipment: { shipmentId: 'SHP-P1', toOrgId: 'refco', massKg: 3000 },
    });
    const received = await ledger.post('/batches/PART-1-S/receipts', parties.refiner, {
      shipmentId: 'SHP-P1',
      receivedMassKg: 3000,
      occurredAt: '2026-03-09T10:00:00+08:00',
    });
    expect(received.status).toBe(201);

    await expectRefusal(
      () => ledger.post('/batches/PART-1/shipments', parties.miner, { ...shipment('SHP-P2'), massKg: 1000 }),
      422,
      'PARTIAL_SHIPMENT_NEEDS_BATCH_ID',
      ledger,
    );
    await expectRefusal(
      () =>
        ledger.post('/batches/PART-1/shipments', parties.miner, {
          ...shipment('SHP-P2'),
          massKg: 7000.001,
          shippedBatchId: 'PART-1-T',
        }),
      422,
      'SPLIT_EXCEEDS_REMAINING',
      ledger,
    );
  });

  it('20 concurrent splits and partial shipments of one lot never over-draw it', async () => {
    await mine('RACE-LOT', 10000);
    // 20 × 700 kg asked of 10,000 kg: at most 14 fit.
    const replies = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        i % 2 === 0
          ? split('RACE-LOT', `RS-${i}`, [[`RACE-${i}`, 700]])
          : ledger.post('/batches/RACE-LOT/shipments', parties.miner, {
              ...shipment(`RSH-${i}`),
              massKg: 700,
              shippedBatchId: `RACE-${i}`,
            }),
      ),
    );
    const succeeded = replies.filter((reply) => reply.status === 201).length;
    for (const reply of replies.filter((r) => r.status !== 201)) {
      expect([
        [422, 'SPLIT_EXCEEDS_REMAINING'],
        [409, 'CONCURRENCY_CONFLICT'],
      ]).toContainEqual([reply.status, (reply.body as { code: string }).code]);
    }
    expect(succeeded).toBeGreaterThan(0);
    expect(succeeded).toBeLessThanOrEqual(14);
    const events = await ledger.get<{ type: string; data: { remainingGrams: number } }[]>(
      '/batches/RACE-LOT/events',
      parties.miner,
    );
    const splits = events.body.filter((event) => event.type === 'BatchSplit');
    expect(splits).toHaveLength(succeeded);
    expect(Math.min(...splits.map((event) => event.data.remainingGrams))).toBe(
      10_000_000 - succeeded * 700_000,
    );
    expect(await view('/batches/RACE-LOT')).toMatchObject({ remainingMassKg: 10000 - succeeded * 700 });
    if (!replies.some((reply) => reply.status === 409)) expect(succeeded).toBe(14);
  });

  describe('blends', () => {
    const blend = (blendId: string, facilityId: string, inputs: [string, number][], form = 'concentrate') =>
      ledger.post('/blends', parties.miner, {
        blendId,
        facilityId,
        inputs: inputs.map(([batchId, consumedKg]) => ({ batchId, consumedKg })),
        output: { batchId: `${blendId}-OUT`, material: { form, elements: ['Nd', 'Pr'] } },
        occurredAt: '2026-03-03T08:00:00+08:00',
      });

    it('blends lots into one: mass Σ consumed, origins the mass-weighted mix, no emissions of its own', async () => {
      await mine('BL-A', 3000, 900); // 0.3 kg CO2e/kg
      await mine('BL-B', 1000, 100); // 0.1 kg CO2e/kg
      const reply = await blend('BL-1', 'mt-weld', [
        ['BL-A', 3000],
        ['BL-B', 500],
      ]);
      expect(reply.status).toBe(201);
      expect(reply.body).toMatchObject({ blendId: 'BL-1', outputBatchId: 'BL-1-OUT', massKg: 3500 });
      expect(await view('/batches/BL-A')).toMatchObject({ status: 'consumed', remainingMassKg: 0 });
      expect(await view('/batches/BL-B')).toMatchObject({ status: 'in_custody', remainingMassKg: 500 });
      // Origins: 3000/3500 = 6/7 and 500/3500 = 1/7. Carbon: 3000 × 0.3 + 500 × 0.1 = 950 kg CO2e over 3,500 kg.
      const provenance = await view<{ origins: { batchId: string; massFraction: number }[] }>(
        '/batches/BL-1-OUT/provenance',
      );
      expect(provenance.origins.map((origin) => [origin.batchId, origin.massFraction])).toEqual([
        ['BL-A', expect.closeTo(6 / 7, 12)],
        ['BL-B', expect.closeTo(1 / 7, 12)],
      ]);
      const carbon = await view<{
        embodiedKgCo2e: number;
        intensityKgCo2ePerKg: number;
        breakdown: unknown[];
      }>('/batches/BL-1-OUT/carbon');
      expect(carbon.embodiedKgCo2e).toBeCloseTo(950, 9);
      expect(carbon.intensityKgCo2ePerKg).toBeCloseTo(950 / 3500, 12);
      expect(carbon.breakdown).toEqual([
        {
          transformationId: null,
          process: 'extraction',
          facilityId: 'mt-weld',
          kgCo2e: expect.closeTo(950, 9),
        },
      ]);
    });

    it('refuses a held lot, lots at two facilities, a lot in transit and different forms, writing nothing', async () => {
      await mine('BR-A', 1000);
      await mine('BR-B', 1000);
      const held = await ledger.post('/batches/BR-B/holds', parties.regulator, {
        reason: 'radiation check',
        occurredAt: '2026-03-02T09:00:00+08:00',
      });
      expect(held.status).toBe(201);
      await expectRefusal(
        () =>
          blend('BR-1', 'mt-weld', [
            ['BR-A', 10],
            ['BR-B', 10],
          ]),
        422,
        'BATCH_HELD',
        ledger,
      );

      await mine('BR-C', 1000);
      const toPort = { ...shipment('BR-SHP'), toOrgId: 'mineco', toFacilityId: 'fremantle' };
      expect((await ledger.post('/batches/BR-C/shipments', parties.miner, toPort)).status).toBe(201);
      await expectRefusal(
        () =>
          blend('BR-2', 'mt-weld', [
            ['BR-A', 10],
            ['BR-C', 10],
          ]),
        409,
        'BATCH_IN_TRANSIT',
        ledger,
      );
      const received = await ledger.post('/batches/BR-C/receipts', parties.miner, {
        shipmentId: 'BR-SHP',
        receivedMassKg: 1000,
        occurredAt: '2026-03-06T08:00:00+08:00',
      });
      expect(received.status).toBe(201);
      await expectRefusal(
        () =>
          blend('BR-3', 'mt-weld', [
            ['BR-A', 10],
            ['BR-C', 10],
          ]),
        422,
        'INPUT_NOT_AT_FACILITY',
        ledger,
      );

      expect(
        (
          await ledger.post('/batches/mined', parties.miner, {
            ...minedBatch('BR-ORE', 1000),
            material: { form: 'ore' },
          })
        ).status,
      ).toBe(201);
      await expectRefusal(
        () =>
          blend('BR-4', 'mt-weld', [
            ['BR-A', 10],
            ['BR-ORE', 10],
          ]),
        422,
        'BLEND_OF_DIFFERENT_FORMS',
        ledger,
      );
    });
  });

  describe('corrections and voids', () => {
    const eventOf = async (batchId: string, type: string) => {
      const events = await ledger.get<{ type: string; eventId: string }[]>(
        `/batches/${batchId}/events`,
        parties.miner,
      );
      return events.body.filter((event) => event.type === type).at(-1)!.eventId;
    };
    type Custody = {
      status: string;
      remainingMassKg: number;
      material: { grade?: Record<string, number> };
      timeline: { eventId: string; type: string; details: Record<string, unknown>; voided?: unknown }[];
    };

    it('corrects a receipt’s mass: the remaining mass and the shortfall follow', async () => {
      await mine('CR-1', 1000);
      expect((await ledger.post('/batches/CR-1/shipments', parties.miner, shipment('CR-SHP'))).status).toBe(
        201,
      );
      const receipt = { shipmentId: 'CR-SHP', receivedMassKg: 990, occurredAt: '2026-03-09T10:00:00+08:00' };
      expect((await ledger.post('/batches/CR-1/receipts', parties.refiner, receipt)).status).toBe(201);
      const receiptId = await eventOf('CR-1', 'BatchReceived');
      await expectRefusal(
        () =>
          ledger.post(`/events/${receiptId}/corrections`, parties.refiner, {
            correctionId: 'CR-X',
            reason: 'too much',
            changes: { receivedMassKg: 1000.001 },
          }),
        422,
        'RECEIVED_MASS_EXCEEDS_SHIPPED',
        ledger,
      );
      await expectRefusal(
        () =>
          ledger.post(`/events/${receiptId}/corrections`, parties.refiner, {
            correctionId: 'CR-X',
            reason: 'an identity',
            changes: { shipmentId: 'OTHER' },
          }),
        422,
        'FIELD_NOT_CORRECTABLE',
        ledger,
      );
      const corrected = await ledger.post(`/events/${receiptId}/corrections`, parties.refiner, {
        correctionId: 'CR-2',
        reason: 'scale read wrong',
        changes: { receivedMassKg: 995.5 },
      });
      expect(corrected.status).toBe(201);
      expect(corrected.body).toMatchObject({ correctionId: 'CR-2', eventId: receiptId, batchId: 'CR-1' });
      const custody = await view<Custody>('/batches/CR-1');
      expect(custody.remainingMassKg).toBe(995.5);
      expect(custody.timeline.find((entry) => entry.eventId === receiptId)!.details).toMatchObject({
        receivedMassGrams: 995_500,
        discrepancyGrams: 4_500,
      });
    });

    it('voids an assay (the grade reverts) and a hold (the lot and its descendants are free again)', async () => {
      await mine('VD-1', 1000);
      const assay = {
        assayId: 'AS-1',
        lab: 'ALS',
        method: 'ICP-MS',
        grade: { TREO: 55 },
        occurredAt: '2026-03-02T08:00:00+08:00',
      };
      expect((await ledger.post('/batches/VD-1/assays', parties.miner, assay)).status).toBe(201);
      expect((await view<Custody>('/batches/VD-1')).material.grade).toEqual({ TREO: 55 });
      const assayId = await eventOf('VD-1', 'BatchAssayed');
      expect(
        (await ledger.post(`/events/${assayId}/voids`, parties.miner, { voidId: 'V-1', reason: 'wrong lot' }))
          .status,
      ).toBe(201);
      const afterVoid = await view<Custody>('/batches/VD-1');
      expect(afterVoid.material.grade).toEqual({ TREO: 41.2 }); // as mined
      expect(afterVoid.timeline.find((entry) => entry.eventId === assayId)!.voided).toMatchObject({
        voidId: 'V-1',
        byOrgId: 'mineco',
        reason: 'wrong lot',
      });

      expect((await split('VD-1', 'VD-SP', [['VD-1-A', 100]])).status).toBe(201);
      const hold = { reason: 'suspected mislabel', occurredAt: '2026-03-03T08:00:00+08:00' };
      expect((await ledger.post('/batches/VD-1/holds', parties.regulator, hold)).status).toBe(201);
      expect(await view('/batches/VD-1-A')).toMatchObject({ heldVia: 'VD-1' });
      const holdId = await eventOf('VD-1', 'BatchHeld');
      await expectRefusal(
        () => ledger.post(`/events/${holdId}/voids`, parties.miner, { voidId: 'V-2', reason: 'not ours' }),
        403,
        'NOT_RECORDER',
        ledger,
      );
      expect(
        (
          await ledger.post(`/events/${holdId}/voids`, parties.regulator, {
            voidId: 'V-2',
            reason: 'wrong lot',
          })
        ).status,
      ).toBe(201);
      expect(await view('/batches/VD-1')).toMatchObject({ status: 'in_custody', held: false });
      expect(await view('/batches/VD-1-A')).toMatchObject({ heldVia: null });
      await expectRefusal(
        () => ledger.post(`/events/${holdId}/voids`, parties.regulator, { voidId: 'V-3', reason: 'again' }),
        422,
        'EVENT_VOIDED',
        ledger,
      );
      await expectRefusal(
        () =>
          ledger.post('/events/00000000-0000-4000-8000-000000000000/voids', parties.regulator, {
            voidId: 'V-4',
            reason: 'x',
          }),
        404,
        'EVENT_NOT_FOUND',
        ledger,
      );
    });
  });
});
