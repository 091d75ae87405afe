import {
  formatBar,
  formatCount,
  formatFinal,
  formatPlainProgress,
  formatProgressLine,
  ProgressBar,
  ratePerSecond,
} from './progress';

describe('progress formatting', () => {
  it('draws the bar the brief shows, with grouped digits and the rate', () => {
    expect(formatProgressLine('replay', 410_000, 1_000_000, (410_000 / 152_300) * 1000)).toBe(
      'replay [########------------] 41% 410,000/1,000,000 events · 152,300 events/s',
    );
  });

  it.each([
    [0, 10, '[--------------------]'],
    [1, 10, '[##------------------]'],
    [19, 20, '[###################-]'],
    [10, 10, '[####################]'],
    [15, 10, '[####################]'], // more than announced (the log grew): clamped
    [0, 0, '[####################]'], // nothing to do is done
  ])('fills %d of %d as %s', (done, total, bar) => {
    expect(formatBar(done, total)).toBe(bar);
  });

  it('never shows 100% before the end', () => {
    expect(formatProgressLine('replay', 999_999, 1_000_000, 1000)).toContain(' 99% ');
    expect(formatProgressLine('replay', 1_000_000, 1_000_000, 1000)).toContain(' 100% ');
  });

  it('gives 0 events/s before any time has passed, and rounds the rate', () => {
    expect(ratePerSecond(500, 0)).toBe(0);
    expect(formatCount(ratePerSecond(1, 3))).toBe('333');
    expect(formatCount(1234567.8)).toBe('1,234,568');
  });

  it('writes a plain line and a final line without bar characters', () => {
    expect(formatPlainProgress('replay', 2_500, 10_000, 500)).toBe(
      'replay: 2,500/10,000 events (25%) · 5,000 events/s',
    );
    expect(formatFinal('replay', 1_000_000, 6_570)).toBe(
      'replay: 1,000,000 events in 6.57 s · 152,207 events/s',
    );
  });
});

describe('ProgressBar', () => {
  const harness = (isTTY: boolean) => {
    const written: string[] = [];
    let clock = 0;
    const bar = new ProgressBar('replay', {
      output: { isTTY, write: (text: string) => written.push(text) },
      now: () => clock,
    });
    return { written, bar, advance: (ms: number) => (clock += ms) };
  };

  it('redraws one line on a TTY at most every 100 ms, then replaces it with the final line', () => {
    const { written, bar, advance } = harness(true);
    for (let i = 1; i <= 50; i++) {
      advance(10); // 500 ms in all, 50 updates
      bar.update(i * 20, 1000);
    }
    expect(bar.finish(1000)).toBe(500);

    expect(written).toHaveLength(6);
    expect(written.slice(0, 5).every((text) => text.startsWith('\r\x1b[K') && !text.includes('\n'))).toBe(
      true,
    );
    expect(written[0]).toBe('\r\x1b[Kreplay [####----------------] 20% 200/1,000 events · 2,000 events/s');
    expect(written[5]).toBe('\r\x1b[Kreplay: 1,000 events in 0.50 s · 2,000 events/s\n');
  });

  it('writes a plain line at most every 2 s off a TTY, and always the final line', () => {
    const { written, bar, advance } = harness(false);
    for (let i = 1; i <= 50; i++) {
      advance(100); // 5 s in all
      bar.update(i * 100, 5000);
    }
    bar.finish(5000);

    expect(written).toEqual([
      'replay: 2,000/5,000 events (40%) · 1,000 events/s\n',
      'replay: 4,000/5,000 events (80%) · 1,000 events/s\n',
      'replay: 5,000 events in 5.00 s · 1,000 events/s\n',
    ]);
  });

  it('writes only the final line for a pass too short to report on', () => {
    const { written, bar, advance } = harness(true);
    bar.update(3, 3);
    advance(2);
    bar.finish(3);

    expect(written).toEqual(['replay: 3 events in 0.00 s · 1,500 events/s\n']);
  });
});
