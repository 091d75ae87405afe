import { Inject, Injectable } from '@nestjs/common';
import { ReadModelStore } from '@tracelode/read-models';
import type { FollowersWorker } from './followers';
import { FOLLOWERS } from './ledger.tokens';

/**
 * The EPCIS capture jobs (ADR 0031): kept in the views file, so a restart does not lose them. Written by
 * the followers' worker when it runs — the file's one writer, so the request thread never waits for the
 * write lock the projector holds while it applies a batch (a synchronous wait, which would stall every
 * request, `/health` too) — else through the server's own connection, on the thread the projector runs on.
 */
@Injectable()
export class CaptureJobs {
  constructor(
    private readonly views: ReadModelStore,
    @Inject(FOLLOWERS) private readonly followers: { worker?: FollowersWorker },
  ) {}

  async keep(captureId: string, orgId: string, job: unknown): Promise<void> {
    if (await this.followers.worker?.keepCaptureJob(captureId, orgId, job)) return;
    this.views.saveCaptureJob(captureId, orgId, job);
  }

  /** A kept job with the organisation that captured it. */
  find<J>(captureId: string): { orgId: string; job: J } | undefined {
    return this.views.captureJob<J>(captureId);
  }
}
