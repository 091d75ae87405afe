import { newEventId } from './event-id';

const UUID_V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('newEventId', () => {
  it('makes UUIDs of version 7, each once, in the order they were made', () => {
    const ids = Array.from({ length: 10_000 }, () => newEventId());
    for (const id of ids) expect(id).toMatch(UUID_V7);
    expect(new Set(ids).size).toBe(ids.length);
    // Made within the same milliseconds or later ones: sorted as text, they are still in order.
    expect([...ids].sort()).toEqual(ids);
  });

  it('begins with the millisecond it was made (RFC 9562 §5.7)', () => {
    const before = Date.now();
    const id = newEventId();
    const after = Date.now();
    const made = parseInt(id.replace(/-/g, '').slice(0, 12), 16);
    expect(made).toBeGreaterThanOrEqual(before);
    expect(made).toBeLessThanOrEqual(after);
  });
});
