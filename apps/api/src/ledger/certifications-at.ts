import type { CertificationView } from '@tracelode/projections';

/**
 * The certifications of lots as the views stood at one checkpoint, the newest few (the certification view
 * before any reader's policy, which is applied per read): the provenance graph carries the lot's coverage
 * node by node and the batch page asks for the graph and the certification at once, so a chain of 1,110
 * ancestors was walked, and its certificates looked up, twice for one page. A view is a function of the
 * views at a checkpoint, so an entry never goes stale; one kept for an older checkpoint is never asked for
 * again and is dropped as soon as a newer one is seen.
 */
export class CertificationsAt {
  private checkpoint = -1n;
  private readonly lots = new Map<string, CertificationView | undefined>();

  constructor(private readonly most = 8) {}

  of(
    checkpoint: bigint,
    batchId: string,
    compute: () => CertificationView | undefined,
  ): CertificationView | undefined {
    if (checkpoint !== this.checkpoint) {
      if (checkpoint < this.checkpoint) return compute(); // a read that began before a newer one: not kept
      this.checkpoint = checkpoint;
      this.lots.clear();
    }
    if (this.lots.has(batchId)) return this.lots.get(batchId);
    const view = compute();
    if (this.lots.size >= this.most) this.lots.delete(this.lots.keys().next().value!);
    this.lots.set(batchId, view);
    return view;
  }
}
