import type { CertificationView } from '@tracelode/projections';
import { CertificationsAt } from './certifications-at';

const view = (batchId: string, tag: string): CertificationView => ({
  batchId,
  schemes: [],
  lateSteps: [{ step: tag } as never],
});

describe('CertificationsAt', () => {
  it('computes a lot’s certification once per checkpoint, and again once the views have moved', () => {
    const kept = new CertificationsAt();
    const compute = jest.fn(() => view('LOT', 'first'));
    const first = kept.of(7n, 'LOT', compute);
    expect(kept.of(7n, 'LOT', compute)).toBe(first);
    expect(compute).toHaveBeenCalledTimes(1);
    const moved = jest.fn(() => view('LOT', 'moved'));
    expect(kept.of(8n, 'LOT', moved)).toEqual(view('LOT', 'moved'));
    expect(moved).toHaveBeenCalledTimes(1);
    // A read at an older checkpoint is computed, not answered from (nor kept beside) the newer one.
    const older = jest.fn(() => view('LOT', 'older'));
    expect(kept.of(7n, 'LOT', older)).toEqual(view('LOT', 'older'));
    expect(kept.of(8n, 'LOT', older)).toEqual(view('LOT', 'moved'));
  });

  it('keeps a lot that has no certification (undefined) as known, and at most `most` lots', () => {
    const kept = new CertificationsAt(2);
    const none = jest.fn(() => undefined);
    expect(kept.of(1n, 'NONE', none)).toBeUndefined();
    expect(kept.of(1n, 'NONE', none)).toBeUndefined();
    expect(none).toHaveBeenCalledTimes(1);
    kept.of(1n, 'A', () => view('A', 'a'));
    kept.of(1n, 'B', () => view('B', 'b'));
    const again = jest.fn(() => undefined);
    kept.of(1n, 'NONE', again);
    expect(again).toHaveBeenCalledTimes(1); // the oldest entry was dropped for B
  });
});
