import type { StoredViewDocument } from '@tracelode/read-models';
import { compareCodePoints, diffViewDocuments, type ViewDifference } from './replay-diff';

const doc = (collection: string, key: string, view: unknown, position = 1n): StoredViewDocument => ({
  collection,
  key,
  json: JSON.stringify(view),
  position,
});

const diff = (replay: StoredViewDocument[], live: StoredViewDocument[]) => {
  const differences: ViewDifference[] = [];
  const counts = diffViewDocuments(replay, live, (difference) => differences.push(difference));
  return { differences, counts: Object.fromEntries(counts) };
};

describe('diffViewDocuments', () => {
  it('finds nothing between equal sides, even where JSON keys come in another order', () => {
    const result = diff(
      [doc('a', '1', { x: 1, y: [1, 2] }), doc('b', '1', {})],
      [doc('a', '1', { y: [1, 2], x: 1 }), doc('b', '1', {})],
    );

    expect(result.differences).toEqual([]);
    expect(result.counts).toEqual({
      a: { replay: 1, live: 1, onlyInReplay: 0, onlyInLive: 0, changed: 0 },
      b: { replay: 1, live: 1, onlyInReplay: 0, onlyInLive: 0, changed: 0 },
    });
  });

  it('names documents only on one side and changed ones with both versions', () => {
    const result = diff(
      [doc('a', '1', { n: 1 }, 4n), doc('a', '2', { n: 2 }), doc('c', 'x', { gone: true }, 3n)],
      [
        doc('a', '1', { n: 9 }, 8n),
        doc('a', '3', { n: 3 }, 7n),
        doc('b', 'k', { n: 4 }, 9n),
        doc('c', 'x', { gone: true }),
      ],
    );

    expect(result.differences).toEqual([
      {
        kind: 'changed',
        collection: 'a',
        key: '1',
        replayPosition: 4,
        livePosition: 8,
        replay: { n: 1 },
        live: { n: 9 },
      },
      { kind: 'only-in-replay', collection: 'a', key: '2', replayPosition: 1, replay: { n: 2 } },
      { kind: 'only-in-live', collection: 'a', key: '3', livePosition: 7, live: { n: 3 } },
      { kind: 'only-in-live', collection: 'b', key: 'k', livePosition: 9, live: { n: 4 } },
    ]);
    expect(result.counts).toEqual({
      a: { replay: 2, live: 2, onlyInReplay: 1, onlyInLive: 1, changed: 1 },
      b: { replay: 0, live: 1, onlyInReplay: 0, onlyInLive: 1, changed: 0 },
      c: { replay: 1, live: 1, onlyInReplay: 0, onlyInLive: 0, changed: 0 },
    });
  });

  it('treats array order as meaningful', () => {
    expect(diff([doc('a', '1', [1, 2])], [doc('a', '1', [2, 1])]).differences).toHaveLength(1);
  });

  it('handles one side empty', () => {
    expect(diff([], [doc('a', '1', 1), doc('a', '2', 2)]).counts).toEqual({
      a: { replay: 0, live: 2, onlyInReplay: 0, onlyInLive: 2, changed: 0 },
    });
  });

  it('walks keys beyond U+FFFF in the byte order SQLite gives them', () => {
    const keys = ['z', '\uE000', '\u{1F600}'];
    expect([...keys].reverse().sort(compareCodePoints)).toEqual(keys);
    const result = diff(
      keys.map((key) => doc('a', key, key)),
      keys.map((key) => doc('a', key, key)),
    );
    expect(result.differences).toEqual([]);
  });
});
