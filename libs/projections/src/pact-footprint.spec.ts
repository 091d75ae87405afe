import { pactProductFootprintValidator } from '@tracelode/testing';
import type { CarbonView } from './carbon.projection';
import { footprintId, PACT_SPEC_VERSION, toDecimal, toPactFootprint } from './pact-footprint';

const METAL: CarbonView = {
  batchId: 'METAL-1',
  embodiedKgCo2e: 6800,
  intensityKgCo2ePerKg: 10,
  primaryDataShare: 6 / 7,
  breakdown: [
    { transformationId: null, process: 'extraction', facilityId: 'mt-weld', kgCo2e: 2560 / 3 },
    { transformationId: 'T3', process: 'electrolysis', facilityId: 'hai-phong', kgCo2e: 2064 },
  ],
  massKg: 680,
  process: 'electrolysis',
  material: { form: 'metal', elements: ['Nd', 'Pr'], grade: { NdPr: 99.5 } },
  orgId: 'metco',
  facilityId: 'hai-phong',
  country: 'VN',
  occurredAt: '2026-04-10T09:00:00+07:00',
  referencePeriodStart: '2026-03-01T00:00:00.000Z',
  recordedAt: '2026-04-10T02:00:01.250Z',
  position: '42',
};

describe('toPactFootprint', () => {
  const validate = pactProductFootprintValidator();
  const errors = () => JSON.stringify(validate.errors, null, 1);

  it('maps a batch’s carbon view to a ProductFootprint that the PACT v3 schema accepts', () => {
    const footprint = toPactFootprint(METAL, 'Metco Ltd');

    expect(validate(footprint)).toBe(true);
    expect(footprint).toMatchObject({
      id: footprintId('METAL-1', '42'),
      specVersion: PACT_SPEC_VERSION,
      created: '2026-04-10T02:00:01.250Z',
      status: 'Active',
      companyName: 'Metco Ltd',
      companyIds: ['urn:pact:tracelode:company-id:metco'],
      productIds: ['urn:pact:tracelode:product-id:METAL-1'],
      productNameCompany: 'metal (Nd, Pr)',
    });
    expect(footprint.pcf).toEqual({
      declaredUnitOfMeasurement: 'kilogram',
      declaredUnitAmount: '1',
      productMassPerDeclaredUnit: '1',
      referencePeriodStart: '2026-03-01T00:00:00.000Z',
      referencePeriodEnd: '2026-04-10T02:00:00.000Z',
      geographyCountry: 'VN',
      boundaryProcessesDescription: 'Cradle to gate: extraction at mt-weld; electrolysis at hai-phong (T3).',
      pcfExcludingBiogenicUptake: '10',
      pcfIncludingBiogenicUptake: '10',
      fossilGhgEmissions: '10',
      fossilCarbonContent: '0',
      ipccCharacterizationFactors: ['AR6'],
      crossSectoralStandards: ['PACT-3.0'],
      exemptedEmissionsPercent: '0',
      exemptedEmissionsDescription: '',
      allocationRulesDescription: expect.stringContaining('economic allocation keys'),
      packagingEmissionsIncluded: false,
      ccsTechnologicalCO2CaptureIncluded: false,
      primaryDataShare: String((6 / 7) * 100),
    });
    expect(footprint.productDescription).toBe(
      'Rare-earth metal (Nd, Pr), batch METAL-1: 680 kg from electrolysis at hai-phong (VN), grade {"NdPr":99.5}.',
    );
  });

  it('stays valid for tiny intensities, an unknown country and a batch id that is itself a URN', () => {
    const lgtin = 'urn:epc:class:lgtin:4012345.012345.998877';
    const footprint = toPactFootprint(
      { ...METAL, batchId: lgtin, intensityKgCo2ePerKg: 1.25e-7, country: null, primaryDataShare: 0 },
      '',
    );

    expect(validate(footprint)).toBe(true);
    expect(footprint.pcf.pcfExcludingBiogenicUptake).toBe('0.000000125');
    expect(footprint.pcf).not.toHaveProperty('geographyCountry');
    expect(footprint.productIds).toEqual([`urn:pact:tracelode:product-id:${lgtin}`, lgtin]);
    expect(footprint.companyName).toBe('metco');
    expect(errors()).toBe('null');
  });

  it.each<[string, (footprint: Record<string, unknown>, pcf: Record<string, unknown>) => void, string]>([
    ['a decimal in exponent notation', (_f, pcf) => (pcf.pcfExcludingBiogenicUptake = '1e-7'), 'pattern'],
    ['a number where v3 wants a decimal string', (_f, pcf) => (pcf.fossilGhgEmissions = 10), 'type'],
    [
      'the v2 name of the declared unit',
      (_f, pcf) => {
        delete pcf.declaredUnitOfMeasurement;
        pcf.declaredUnit = 'kilogram';
      },
      'required',
    ],
    ['an unknown declared unit', (_f, pcf) => (pcf.declaredUnitOfMeasurement = 'tonne'), 'enum'],
    ['two geographies at once', (_f, pcf) => (pcf.geographyRegionOrSubregion = 'Asia'), 'oneOf'],
    ['an id that is not a UUID', (f) => (f.id = 'METAL-1'), 'format'],
    ['a company id that is not a URN', (f) => (f.companyIds = ['metco']), 'pattern'],
    ['no pcf', (f) => delete f.pcf, 'required'],
    ['a created time without a zone', (f) => (f.created = '2026-04-10T02:00:01'), 'format'],
  ])('rejects a footprint with %s', (_name, spoil, keyword) => {
    const footprint = structuredClone(toPactFootprint(METAL, 'Metco Ltd')) as unknown as Record<
      string,
      unknown
    >;
    spoil(footprint, footprint.pcf as Record<string, unknown>);

    expect(validate(footprint)).toBe(false);
    expect(validate.errors?.map((error) => error.keyword)).toContain(keyword);
  });
});

describe('footprintId', () => {
  it('is a v5-style UUID that depends only on the batch and the view position', () => {
    const id = footprintId('METAL-1', '42');

    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(footprintId('METAL-1', '42')).toBe(id);
    expect(footprintId('METAL-1', '43')).not.toBe(id);
    expect(footprintId('METAL-2', '42')).not.toBe(id);
    expect(toPactFootprint(METAL, 'x').id).toBe(toPactFootprint(structuredClone(METAL), 'y').id);
  });
});

describe('toDecimal', () => {
  it.each([
    [0, '0'],
    [-0, '0'],
    [10, '10'],
    [0.1 + 0.2, '0.30000000000000004'],
    [1.25e-7, '0.000000125'],
    [-2.5e-8, '-0.000000025'],
    [1e21, '1000000000000000000000'],
    [1.5e22, '15000000000000000000000'],
    [6 / 7, '0.8571428571428571'],
  ])('writes %p as %p', (value, text) => {
    expect(toDecimal(value)).toBe(text);
    expect(Number(toDecimal(value))).toBe(value === 0 ? 0 : value);
  });

  it('refuses what is not a finite number', () => {
    expect(() => toDecimal(Number.NaN)).toThrow('NaN is not a decimal');
    expect(() => toDecimal(Infinity)).toThrow();
  });
});
