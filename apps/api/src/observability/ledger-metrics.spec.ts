import { HeadReader } from './head-reader';
import { type FollowerState, type LedgerVitals, LedgerMetrics } from './ledger-metrics';

/** The value of one sample in Prometheus text, by name and exact label text (`{a="b"}`), or undefined. */
function sample(text: string, name: string, labels = ''): number | undefined {
  const line = text.split('\n').find((candidate) => candidate.startsWith(`${name}${labels} `));
  return line === undefined ? undefined : Number(line.slice(line.lastIndexOf(' ') + 1));
}

/**
 * Vitals a test moves by hand: the store's head (or how it fails), read through a HeadReader allowing it
 * `timeoutMs`, the followers' positions and states.
 */
function vitals(timeoutMs?: number) {
  const state = {
    head: (): Promise<bigint> => Promise.resolve(0n),
    views: 0n,
    notary: 0,
    followers: { views: 'following', notary: 'following' } as Record<'views' | 'notary', FollowerState>,
  };
  const heads = new HeadReader(() => state.head(), timeoutMs);
  const given: LedgerVitals = {
    readHead: () => heads.read(),
    viewsPosition: () => state.views,
    notaryPosition: () => state.notary,
    followerStates: () => state.followers,
    latestCheckpoint: () => undefined,
    files: {},
  };
  return { state, given };
}

describe('LedgerMetrics: the log head and the followers', () => {
  it("reports each follower's lag against the head read at this scrape, the first one included", async () => {
    const metrics = new LedgerMetrics();
    const { state, given } = vitals();
    metrics.watch(given);
    state.head = () => Promise.resolve(10n);
    state.views = 4n;
    state.notary = 7;
    let text = await metrics.text();
    expect(sample(text, 'tracelode_store_up')).toBe(1);
    expect(sample(text, 'tracelode_log_head_position')).toBe(10);
    expect(sample(text, 'tracelode_projector_lag_events')).toBe(6);
    expect(sample(text, 'tracelode_notary_lag_events')).toBe(3);

    state.head = () => Promise.resolve(25n);
    text = await metrics.text();
    expect(sample(text, 'tracelode_log_head_position')).toBe(25);
    expect(sample(text, 'tracelode_projector_lag_events')).toBe(21);
    expect(sample(text, 'tracelode_notary_lag_events')).toBe(18);
  });

  it('still answers when the store refuses: store down, the head last read, the lag against it', async () => {
    const metrics = new LedgerMetrics();
    const { state, given } = vitals();
    metrics.watch(given);
    state.head = () => Promise.resolve(10n);
    state.views = 4n;
    state.notary = 10;
    await metrics.text();
    state.head = () => Promise.reject(new Error('connection refused'));
    state.followers = { views: 'interrupted', notary: 'stopped' };
    const text = await metrics.text();
    expect(sample(text, 'tracelode_store_up')).toBe(0);
    expect(sample(text, 'tracelode_log_head_position')).toBe(10);
    expect(sample(text, 'tracelode_projector_lag_events')).toBe(6);
    expect(sample(text, 'tracelode_notary_lag_events')).toBe(0);
    expect(sample(text, 'tracelode_follower_state', '{follower="views",state="interrupted"}')).toBe(1);
    expect(sample(text, 'tracelode_follower_state', '{follower="views",state="following"}')).toBe(0);
    expect(sample(text, 'tracelode_follower_state', '{follower="notary",state="stopped"}')).toBe(1);
    expect(sample(text, 'tracelode_follower_state', '{follower="notary",state="interrupted"}')).toBe(0);
  });

  it('answers when the store never does, after the time it allows the head, and never below what the followers read', async () => {
    const metrics = new LedgerMetrics();
    const { state, given } = vitals(50);
    metrics.watch(given);
    state.head = () => new Promise<bigint>(() => undefined);
    state.views = 12n;
    state.notary = 9;
    const text = await metrics.text();
    expect(sample(text, 'tracelode_store_up')).toBe(0);
    expect(sample(text, 'tracelode_log_head_position')).toBe(12);
    expect(sample(text, 'tracelode_projector_lag_events')).toBe(0);
    expect(sample(text, 'tracelode_notary_lag_events')).toBe(3);
    expect(sample(text, 'tracelode_follower_state', '{follower="views",state="following"}')).toBe(1);
  });
});

describe('LedgerMetrics: scrapes at once while the head never comes', () => {
  it('answers each, store down, and a head that fails late is no unhandled rejection', async () => {
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    try {
      const metrics = new LedgerMetrics();
      const { state, given } = vitals(50);
      metrics.watch(given);
      state.head = () => Promise.resolve(10n);
      await metrics.text();
      let calls = 0;
      const late: Array<(error: Error) => void> = [];
      state.head = () => (calls++, new Promise<bigint>((_, fail) => late.push(fail)));
      state.views = 8n;
      const texts = await Promise.all([metrics.text(), metrics.text(), metrics.text()]);
      for (const text of texts) {
        expect(sample(text, 'tracelode_store_up')).toBe(0);
        expect(sample(text, 'tracelode_log_head_position')).toBe(10);
        expect(sample(text, 'tracelode_projector_lag_events')).toBe(2);
      }
      expect(calls).toBe(1); // one read of the head, shared
      for (const fail of late) fail(new Error('connection reset'));
      await new Promise((resolve) => setTimeout(resolve, 20));
      expect(unhandled).toEqual([]);
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
  });
});

describe('LedgerMetrics: a head that never comes', () => {
  it('is read once: later scrapes answer at once, store down, until it ends; then it is read again', async () => {
    const metrics = new LedgerMetrics();
    const { state, given } = vitals(50);
    metrics.watch(given);
    let calls = 0;
    let answer: (head: bigint) => void = () => undefined;
    state.head = () => (calls++, new Promise<bigint>((resolve) => (answer = resolve)));
    expect(sample(await metrics.text(), 'tracelode_store_up')).toBe(0);
    for (let scrape = 0; scrape < 3; scrape++) {
      expect(sample(await metrics.text(), 'tracelode_store_up')).toBe(0);
    }
    expect(calls).toBe(1);
    answer(7n);
    await new Promise((resolve) => setImmediate(resolve));
    state.head = () => (calls++, Promise.resolve(9n));
    const text = await metrics.text();
    expect(calls).toBe(2);
    expect(sample(text, 'tracelode_store_up')).toBe(1);
    expect(sample(text, 'tracelode_log_head_position')).toBe(9);
  });
});
