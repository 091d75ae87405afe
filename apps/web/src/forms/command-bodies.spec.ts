import { instantOrOmitted, numberOrOmitted, RECEIVE, RECORD_MINED, SHIP } from './command-bodies';

describe('the record forms’ requests', () => {
  it('sends numbers as typed, leaves empty ones out, and lets the API judge what is not a number', () => {
    expect(numberOrOmitted(' 1250.5 ')).toBe(1250.5);
    expect(numberOrOmitted('')).toBeUndefined();
    expect(numberOrOmitted(undefined)).toBeUndefined();
    expect(numberOrOmitted('12,5')).toBeNaN();
  });

  it('sends a local time as an instant with its offset, and passes what is not a time through', () => {
    const local = '2026-03-05T06:00:00';
    expect(instantOrOmitted(local)).toBe(new Date(local).toISOString());
    expect(instantOrOmitted(local)).toMatch(/Z$/);
    expect(instantOrOmitted('')).toBeUndefined();
    expect(instantOrOmitted('yesterday')).toBe('yesterday');
  });

  it('records a mined batch at /batches/mined, the form under material', () => {
    expect(
      RECORD_MINED.request({
        batchId: 'B-1',
        facilityId: 'mt-weld',
        form: 'ore',
        massKg: '10',
        occurredAt: '',
      }),
    ).toEqual({
      path: '/batches/mined',
      body: {
        batchId: 'B-1',
        facilityId: 'mt-weld',
        material: { form: 'ore' },
        massKg: 10,
        occurredAt: undefined,
      },
    });
  });

  it("ships at the lot's route, encoded; a bill of lading only when numbered; a part only when asked", () => {
    const whole = SHIP.request({
      batchId: ' LOT/1 ',
      shipmentId: 'S-1',
      toOrgId: 'refco',
      toFacilityId: 'kuantan',
      occurredAt: '',
      massKg: '',
      shippedBatchId: '',
      documentNumber: '',
    });
    expect(whole.path).toBe('/batches/LOT%2F1/shipments');
    expect(whole.body).toMatchObject({ shipmentId: 'S-1', toOrgId: 'refco', toFacilityId: 'kuantan' });
    expect(whole.body.documents).toBeUndefined();
    expect(whole.body.massKg).toBeUndefined();
    expect(whole.body.shippedBatchId).toBeUndefined();
    const part = SHIP.request({
      batchId: 'LOT-1',
      massKg: '300',
      shippedBatchId: 'LOT-1-P',
      documentNumber: 'BOL-9',
    });
    expect(part.body).toMatchObject({
      massKg: 300,
      shippedBatchId: 'LOT-1-P',
      documents: [{ type: 'bill_of_lading', number: 'BOL-9' }],
    });
  });

  it("receives at the lot's route with the mass received", () => {
    expect(RECEIVE.request({ batchId: 'LOT-1', shipmentId: 'S-1', receivedMassKg: '299.5' })).toEqual({
      path: '/batches/LOT-1/receipts',
      body: { shipmentId: 'S-1', receivedMassKg: 299.5, occurredAt: undefined },
    });
    expect(RECEIVE.pathField).toBe('batchId');
    expect(SHIP.pathField).toBe('batchId');
    expect(RECORD_MINED.pathField).toBeUndefined();
  });
});
