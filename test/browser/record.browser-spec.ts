import {
  describeInChromium,
  type Explorer,
  localTime,
  read,
  signIn,
  startExplorer,
  stopExplorer,
} from '../support/browser-harness';

type Event = { type: string };

/**
 * The producers' record forms (apps/web, /#/record/ship and /#/record/receive) in headless Chromium: a lot
 * shipped by one producer and received by the next through the forms, a double click writing one event
 * each (the form's Idempotency-Key), and the API's own refusals shown beside the fields they are about,
 * with nothing written.
 */
describeInChromium("the explorer's ship and receive forms in headless Chromium", () => {
  let explorer: Explorer;
  const events = (batchId: string, key: string) => read<Event[]>(explorer, `/batches/${batchId}/events`, key);
  const mine = async (batchId: string, massKg: number) => {
    const reply = await explorer.ledger.post('/batches/mined', explorer.keys.mine!, {
      batchId,
      facilityId: 'mt-weld',
      material: { form: 'concentrate' },
      massKg,
      occurredAt: new Date(Date.now() - 3 * 3_600_000).toISOString(),
    });
    expect(reply.status).toBe(201);
  };
  const fillShipment = async (batchId: string, shipmentId: string) => {
    const { page } = explorer;
    await page.goto(`${explorer.ledger.baseUrl}/#/record/ship`);
    await page.fill('input[name=batchId]', batchId);
    await page.fill('input[name=shipmentId]', shipmentId);
    await page.fill('input[name=toOrgId]', explorer.ids.processor!);
    await page.fill('input[name=toFacilityId]', explorer.ids.gebeng!);
    await page.fill('input[name=occurredAt]', localTime(120));
    await page.fill('input[name=documentNumber]', `BOL-${shipmentId}`);
  };

  beforeAll(async () => {
    explorer = await startExplorer();
  }, 180_000);
  afterAll(() => stopExplorer(explorer));

  it('ships a lot and receives it through the forms; a double click writes one event each', async () => {
    const { page, keys, ids } = explorer;
    await mine('FORM-SHIP-1', 800.25);
    await signIn(explorer, keys.mine!);
    await fillShipment('FORM-SHIP-1', 'FORM-SHP-1');
    // The lots the producer holds are offered for the batch id.
    await page.waitForSelector('#batchId-suggestions option[value=FORM-SHIP-1]', { state: 'attached' });
    // Both clicks are sent, with the one Idempotency-Key of the form as filled in: the ledger writes once.
    const keysSent: (string | undefined)[] = [];
    page.on('request', (request) => {
      if (request.method() === 'POST') keysSent.push(request.headers()['idempotency-key']);
    });
    await page.dblclick('button:has-text("Ship")');
    await page.waitForSelector('[role=status] >> text=FORM-SHIP-1');
    await new Promise((done) => setTimeout(done, 500));
    expect(await page.locator('[role=alert]').count()).toBe(0);
    expect(keysSent).toHaveLength(2);
    expect(keysSent[0]).toMatch(/^[0-9a-f-]{36}$/);
    expect(keysSent[1]).toBe(keysSent[0]);
    page.removeAllListeners('request');
    const shipped = await events('FORM-SHIP-1', keys.mine!);
    expect(shipped.map((event) => event.type)).toEqual(['BatchMined', 'BatchShipped']);

    await signIn(explorer, keys.processor!);
    await page.goto(`${explorer.ledger.baseUrl}/#/record/receive`);
    await page.fill('input[name=batchId]', 'FORM-SHIP-1');
    await page.fill('input[name=shipmentId]', 'FORM-SHP-1');
    await page.fill('input[name=receivedMassKg]', '799.5');
    await page.fill('input[name=occurredAt]', localTime(60));
    await page.dblclick('button:has-text("Receive")');
    await page.waitForSelector('[role=status] >> text=FORM-SHIP-1');
    await new Promise((done) => setTimeout(done, 500));
    expect(await page.locator('[role=alert]').count()).toBe(0);
    const history = await events('FORM-SHIP-1', keys.processor!);
    expect(history.map((event) => event.type)).toEqual(['BatchMined', 'BatchShipped', 'BatchReceived']);
    const custody = await read<{ status: string; custodian: { orgId: string }; remainingMassKg: number }>(
      explorer,
      '/batches/FORM-SHIP-1',
      keys.processor!,
    );
    expect(custody).toMatchObject({ status: 'in_custody', custodian: { orgId: ids.processor } });
    expect(custody.remainingMassKg).toBe(799.5);
  });

  it("shows the API's refusals beside their fields, and writes nothing", async () => {
    const { page, keys, ledger } = explorer;
    await mine('FORM-SHIP-2', 500);
    await signIn(explorer, keys.mine!);
    // The API's validation: a shipment id it does not accept, beside the shipment id.
    await fillShipment('FORM-SHIP-2', 'not an id!');
    const before = await ledger.eventCount();
    await page.click('button:has-text("Ship")');
    await page.waitForSelector('#shipmentId-error');
    expect(await page.textContent('#shipmentId-error')).toContain('shipmentId');
    expect(await page.getAttribute('input[name=shipmentId]', 'aria-invalid')).toBe('true');
    expect(await page.getAttribute('input[name=shipmentId]', 'aria-describedby')).toContain(
      'shipmentId-error',
    );
    // A domain refusal: a destination facility the organisation does not have, beside that field.
    await page.fill('input[name=shipmentId]', 'FORM-SHP-2');
    await page.fill('input[name=toFacilityId]', 'no-such-plant');
    await page.click('button:has-text("Ship")');
    await page.waitForSelector('#toFacilityId-error');
    expect(await page.textContent('#toFacilityId-error')).toContain('FACILITY_NOT_FOUND');
    expect(await page.locator('#shipmentId-error').count()).toBe(0);
    expect(await ledger.eventCount()).toBe(before);

    // Shipped (whole); received with more than left: refused beside the mass, nothing written.
    await page.fill('input[name=toFacilityId]', explorer.ids.gebeng!);
    await page.click('button:has-text("Ship")');
    await page.waitForSelector('[role=status] >> text=FORM-SHIP-2');
    await signIn(explorer, keys.processor!);
    await page.goto(`${ledger.baseUrl}/#/record/receive`);
    await page.fill('input[name=batchId]', 'FORM-SHIP-2');
    await page.fill('input[name=shipmentId]', 'FORM-SHP-2');
    await page.fill('input[name=receivedMassKg]', '500.001');
    await page.fill('input[name=occurredAt]', localTime(30));
    const shipped = await ledger.eventCount();
    await page.click('button:has-text("Receive")');
    await page.waitForSelector('#receivedMassKg-error');
    expect(await page.textContent('#receivedMassKg-error')).toContain('RECEIVED_MASS_EXCEEDS_SHIPPED');
    expect(await ledger.eventCount()).toBe(shipped);
    expect((await events('FORM-SHIP-2', keys.mine!)).map((event) => event.type)).toEqual([
      'BatchMined',
      'BatchShipped',
    ]);
  });
});
