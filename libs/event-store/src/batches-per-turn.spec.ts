import { batchesPerTurn, Gather } from './batches-per-turn';
import type { StoredEvent } from './event-store.port';

const event = { position: 1n } as StoredEvent;

describe('batchesPerTurn with a gather', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('hands on a full batch before its gather ends, leaving no timer', async () => {
    const next = jest.fn().mockResolvedValue({ done: false, value: event });
    const batches = batchesPerTurn({ next }, 3, new Gather(60_000));

    // Three events are ready at once: the batch is full before the gather ends, and its timer goes.
    expect(await batches.next()).toEqual({ done: false, value: [event, event, event] });
    expect(jest.getTimerCount()).toBe(0);
  });

  it('leaves no timer behind when a read fails mid-gather', async () => {
    const next = jest
      .fn()
      .mockResolvedValueOnce({ done: false, value: event })
      .mockRejectedValueOnce(new Error('the log cannot be read'));
    const batches = batchesPerTurn({ next }, 10, new Gather(60_000));

    await expect(batches.next()).rejects.toThrow('the log cannot be read');
    expect(jest.getTimerCount()).toBe(0);
  });

  it('ends the gather under way when cut', async () => {
    let arrive: (value: IteratorResult<StoredEvent>) => void = () => undefined;
    const next = jest
      .fn()
      .mockResolvedValueOnce({ done: false, value: event })
      .mockReturnValueOnce(new Promise((resolve) => (arrive = resolve)));
    const gather = new Gather(60_000);
    const batches = batchesPerTurn({ next }, 10, gather);

    const batch = batches.next();
    await Promise.resolve();
    await Promise.resolve();
    expect(jest.getTimerCount()).toBe(1);
    gather.cut();
    expect(await batch).toEqual({ done: false, value: [event] });
    expect(jest.getTimerCount()).toBe(0);
    arrive({ done: true, value: undefined });
  });
});
