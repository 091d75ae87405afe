import { newEventId } from './event-id';

const UUID_V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
/** The 48-bit millisecond an id begins with. */
const millisecondOf = (id: string) => parseInt(id.replace(/-/g, '').slice(0, 12), 16);

describe('newEventId', () => {
  it('makes UUIDs of version 7, each once, their milliseconds in the order they were made', () => {
    const ids = Array.from({ length: 10_000 }, () => newEventId());
    for (const id of ids) expect(id).toMatch(UUID_V7);
    expect(new Set(ids).size).toBe(ids.length);
    const times = ids.map(millisecondOf);
    expect([...times].sort((a, b) => a - b)).toEqual(times);
  });

  it('begins with the millisecond it was made (RFC 9562 §5.7)', () => {
    const before = Date.now();
    const id = newEventId();
    const after = Date.now();
    expect(millisecondOf(id)).toBeGreaterThanOrEqual(before);
    expect(millisecondOf(id)).toBeLessThanOrEqual(after);
  });

  it('draws the other 74 bits at random: no counter runs from one id to the next', () => {
    // uuid@10's v7 keeps a counter in bits 66–84 (RFC 9562 §6.2, method 1): one id's is the last one's plus 1.
    const counterOf = (id: string) => (parseInt(id.replace(/-/g, '').slice(16, 22), 16) >> 3) & 0x7ffff;
    const counters = Array.from({ length: 1000 }, () => counterOf(newEventId()));
    const steps = counters.slice(1).filter((counter, i) => counter === counters[i]! + 1).length;
    expect(steps).toBeLessThan(10);
  });
});
