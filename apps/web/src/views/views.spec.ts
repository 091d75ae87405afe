import { listPath, NO_FILTERS, nextPage, previousPage } from './batch-list-query';
import { carbonRows, formatValue, originsByCountry, originsByMine } from './chart-rows';
import {
  committedAt,
  isSigned,
  localInputValue,
  pickedInstant,
  placeOf,
  type TimelineEntry,
  whatHappened,
  whoActed,
} from './timeline';

const origin = (batchId: string, country: string | null, massFraction: number) => ({
  batchId,
  facilityId: 'f',
  orgId: 'o',
  country,
  massFraction,
});

describe('the origin and carbon charts', () => {
  const origins = [
    origin('MW-1', 'AU', 0.5),
    origin('TL-1', 'CA', 0.2),
    origin('MW-2', 'AU', 0.25),
    origin('X', null, 0.05),
  ];

  it('draws one bar per mined lot, in the API’s order, with its country', () => {
    expect(originsByMine(origins)).toEqual([
      { label: 'MW-1 (AU)', value: 0.5 },
      { label: 'TL-1 (CA)', value: 0.2 },
      { label: 'MW-2 (AU)', value: 0.25 },
      { label: 'X (?)', value: 0.05 },
    ]);
  });

  it('sums the mines of a country, which add up to the whole', () => {
    const countries = originsByCountry(origins);
    expect(countries).toEqual([
      { label: 'AU', value: 0.75 },
      { label: 'CA', value: 0.2 },
      { label: 'unknown', value: 0.05 },
    ]);
    expect(countries.reduce((sum, row) => sum + row.value, 0)).toBeCloseTo(1, 12);
  });

  it('names each carbon step by process and facility, its value unchanged', () => {
    expect(
      carbonRows([
        { transformationId: null, process: 'mining', facilityId: 'mt-weld', kgCo2e: 8200 },
        { transformationId: 'T-1', process: 'sintering', facilityId: 'himeji', kgCo2e: 15600.25 },
      ]),
    ).toEqual([
      { label: 'mining @ mt-weld', value: 8200 },
      { label: 'sintering @ himeji', value: 15600.25 },
    ]);
  });

  it('writes a fraction as a percentage and an amount with its unit', () => {
    expect(formatValue(0.21185553, '%')).toBe('21.19 %');
    expect(formatValue(1, '%')).toBe('100.00 %');
    expect(formatValue(15600.25, 'kg CO2e')).toBe('15,600.3 kg CO2e');
  });
});

describe('the custody timeline', () => {
  const entry = (
    type: string,
    details: Record<string, unknown>,
    extra: Partial<TimelineEntry> = {},
  ): TimelineEntry => ({
    eventId: `e-${type}`,
    position: '1',
    type,
    occurredAt: '2026-03-01T00:00:00Z',
    recordedAt: '2026-03-01T00:00:01Z',
    late: false,
    actorOrgId: 'mineco',
    details,
    ...extra,
  });

  it('says a hold, a release and a void in words, not by colour', () => {
    expect(whatHappened(entry('BatchHeld', {}))).toBe('BatchHeld ⛔ hold');
    expect(whatHappened(entry('BatchReleased', {}))).toBe('BatchReleased ✅ release');
    expect(whatHappened(entry('BatchAssayed', {}, { voided: { voidId: 'v' } }))).toBe(
      'BatchAssayed (voided)',
    );
    expect(whatHappened(entry('BatchMined', {}))).toBe('BatchMined');
  });

  it('shows where, a shipment from → to, and a dash where the place is withheld', () => {
    expect(placeOf(entry('BatchMined', { orgId: 'mineco', facilityId: 'mt-weld' }))).toBe('mineco / mt-weld');
    expect(
      placeOf(
        entry('BatchShipped', {
          fromOrgId: 'mineco',
          fromFacilityId: 'mt-weld',
          toOrgId: 'refco',
          toFacilityId: 'kuantan',
        }),
      ),
    ).toBe('mineco / mt-weld → refco / kuantan');
    expect(placeOf(entry('BatchShipped', { massGrams: 5 }))).toBe('—');
  });

  it('shows who, or that it is withheld', () => {
    expect(whoActed(entry('BatchMined', {}))).toBe('mineco');
    expect(whoActed(entry('BatchShipped', {}, { actorOrgId: { withheld: true } }))).toBe('withheld');
    expect(whoActed(entry('BatchShipped', {}, { actorOrgId: null }))).toBe('withheld');
  });

  it('badges an entry signed when its event carries the request signature, and not otherwise', () => {
    const signed = entry('BatchMined', {});
    const events = new Map([
      [signed.eventId, { metadata: { requestSignature: { keyId: 'k' } } }],
      ['e-other', { metadata: {} }],
    ]);
    expect(isSigned(signed, events)).toBe(true);
    expect(isSigned({ ...signed, eventId: 'e-other' }, events)).toBe(false);
    expect(isSigned({ ...signed, eventId: 'e-unknown' }, events)).toBe(false);
  });

  it('gives an entry’s commit time from its stored event, and none where the reader was not given it', () => {
    const mined = entry('BatchMined', {});
    const events = new Map([[mined.eventId, { recordedAt: '2026-03-01T00:00:01.013Z' }]]);
    expect(committedAt(mined, events)).toBe('2026-03-01T00:00:01.013Z');
    expect(committedAt({ ...mined, eventId: 'e-unknown' }, events)).toBeUndefined();
  });

  it('puts an instant into the moment picker in the browser’s time zone, to the millisecond', () => {
    const instant = '2026-03-01T00:00:01.013Z';
    // India (UTC+5:30: getTimezoneOffset -330) and Newfoundland in winter (UTC-3:30: 210).
    expect(localInputValue(instant, -330)).toBe('2026-03-01T05:30:01.013');
    expect(localInputValue(instant, 210)).toBe('2026-02-28T20:30:01.013');
    // In this process's own zone, the picker reads the value back as the same instant.
    expect(new Date(localInputValue(instant)).toISOString()).toBe(instant);
  });

  it('reads the picker back as the instant it was set from, not as its local text, until it is edited', () => {
    // London's clocks go back at 02:00 BST on 2026-10-25: "01:30" names 00:30Z and 01:30Z, and `Date`
    // reads the earlier. A commit at 01:30Z shows as that text (offset 0 then), and must come back as itself.
    const second = '2026-10-25T01:30:00.000Z';
    const text = localInputValue(second, 0);
    expect(text).toBe('2026-10-25T01:30:00.000');
    expect(pickedInstant({ text, instant: second })).toBe(second);
    // Whatever this process's zone reads the text as, a kept instant is not read from it.
    const earlier = '2026-10-25T00:30:00.000Z';
    expect(pickedInstant({ text, instant: earlier })).toBe(earlier);
    // Edited (no instant kept), the text is read in local time; an empty picker is "now".
    expect(pickedInstant({ text: localInputValue(second) })).toBe(second);
    expect(pickedInstant({ text: '' })).toBeUndefined();
    expect(pickedInstant({ text: '', instant: second })).toBeUndefined();
  });
});

describe('the batch list’s filters and pages', () => {
  it('asks for every batch with no filter, and only the filters given', () => {
    expect(listPath(NO_FILTERS, [])).toBe('/batches');
    expect(listPath({ ...NO_FILTERS, status: 'held', q: ' MW-' }, [])).toBe('/batches?status=held&q=MW-');
  });

  it('reads the page of the last cursor, forward and back', () => {
    const filters = { ...NO_FILTERS, form: 'oxide' };
    const second = nextPage([], 'c1');
    const third = nextPage(second, 'c2');
    expect(listPath(filters, third)).toBe('/batches?form=oxide&cursor=c2');
    expect(nextPage(third, null)).toBe(third);
    expect(listPath(filters, previousPage(third))).toBe('/batches?form=oxide&cursor=c1');
    expect(listPath(filters, previousPage(previousPage(third)))).toBe('/batches?form=oxide');
    expect(previousPage([])).toEqual([]);
  });
});
