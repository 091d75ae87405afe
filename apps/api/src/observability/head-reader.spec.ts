import { HeadReader } from './head-reader';

describe('HeadReader: the log head for readiness and metrics', () => {
  it("answers the store's head, and the store's own reason when it refuses", async () => {
    let head: () => Promise<bigint> = () => Promise.resolve(12n);
    const reader = new HeadReader(() => head(), 50);
    expect(await reader.read()).toEqual({ head: 12n });
    head = () => Promise.reject(new Error('connect ECONNREFUSED 127.0.0.1:2113'));
    expect(await reader.read()).toEqual({ failure: 'connect ECONNREFUSED 127.0.0.1:2113' });
    head = () => {
      throw new Error('the store is closed');
    };
    expect(await reader.read()).toEqual({ failure: 'the store is closed' });
  });

  it('shares one read among the callers that ask while it runs', async () => {
    let calls = 0;
    let answer: (head: bigint) => void = () => undefined;
    const reader = new HeadReader(
      () => (calls++, new Promise<bigint>((resolve) => (answer = resolve))),
      1000,
    );
    const asked = [reader.read(), reader.read(), reader.read()];
    answer(5n);
    expect(await Promise.all(asked)).toEqual([{ head: 5n }, { head: 5n }, { head: 5n }]);
    expect(calls).toBe(1);
  });

  it('gives up on a read after the time allowed, does not wait on it again, and reads anew once it ends', async () => {
    let calls = 0;
    let answer: (head: bigint) => void = () => undefined;
    let head: () => Promise<bigint> = () => new Promise<bigint>((resolve) => (answer = resolve));
    const reader = new HeadReader(() => (calls++, head()), 50);
    expect(await reader.read()).toEqual({ failure: 'no answer within 50 ms' });
    // Answered at once, before the event loop turns (a wait would take another 50 ms), without another
    // read of the store.
    const turn = () => new Promise((resolve) => setImmediate(() => resolve('waited a turn')));
    for (let probe = 0; probe < 3; probe++) {
      expect(await Promise.race([reader.read(), turn()])).toEqual({
        failure: 'no answer within 50 ms (the last read of the head has not ended)',
      });
    }
    expect(calls).toBe(1);
    answer(7n);
    await new Promise((resolve) => setImmediate(resolve));
    head = () => Promise.resolve(9n);
    expect(await reader.read()).toEqual({ head: 9n });
    expect(calls).toBe(2);
  });
});
