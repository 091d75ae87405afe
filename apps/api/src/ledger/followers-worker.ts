import { type LogFollower, SqliteEventStore } from '@tracelode/event-store';
import { CheckpointSigner, LogNotary, type SignedCheckpoint } from '@tracelode/log';
import { LEDGER_PROJECTIONS, Projector } from '@tracelode/projections';
import { ReadModelStore } from '@tracelode/read-models';
import { parentPort, workerData } from 'node:worker_threads';
import type { FollowersWorkerData, FromFollowers, ToFollowers } from './followers-protocol';

/**
 * The followers' worker (ADR 0029): the projector and the notary, off the request thread. It reads the log
 * through a read-only handle of its own (WAL lets it read while the server's thread writes), writes the
 * views and the notary's file through handles of its own, and reports how far each has got. The server's
 * thread tells it when it has committed, so it reads at once instead of at its next poll.
 */
const port = parentPort!;
const data = workerData as FollowersWorkerData;
const post = (message: FromFollowers) => port.postMessage(message);

let stopping = false;
let store: SqliteEventStore;
let views: ReadModelStore;
let projector: Projector;
let notary: LogNotary;
try {
  store = SqliteEventStore.openReadOnly(data.storeFile);
  views = ReadModelStore.open(data.viewsPath);
  // Gathering (ADR 0029, amended): under load, several group commits in one views transaction instead
  // of one each. A read waiting for its own write cuts a gather short (`hurry`).
  projector = new Projector(
    store,
    views,
    LEDGER_PROJECTIONS,
    data.viewsGatherMs > 0 ? data.viewsGatherMs : undefined,
  );
  notary = LogNotary.open(store, data.integrityPath, new CheckpointSigner(data.signingKey), data.checkpoint);
} catch (error) {
  post({ type: 'open-failed', message: error instanceof Error ? error.message : String(error) });
  process.exit(1);
}

/** One progress message per turn of the event loop, however many batches the turn applied. */
let reportQueued = false;
const report = () => {
  if (reportQueued) return;
  reportQueued = true;
  setImmediate(() => {
    reportQueued = false;
    post({ type: 'progress', views: projector.position.toString(), tree: notary.size });
  });
};

/** Reports each batch `follower` applies; its failure once, when it stops on one. */
async function watch(
  follower: LogFollower,
  name: 'projector' | 'notary',
  reached: () => bigint,
): Promise<void> {
  for (;;) {
    // The longest timer Node allows: the wait ends on progress, failure or stop, not on time.
    const moved = await follower.waitFor(reached() + 1n, 2 ** 31 - 1);
    if (stopping) return;
    if (moved) {
      report();
      continue;
    }
    const error = follower.error;
    if (error) return post({ type: 'failed', follower: name, name: error.name, message: error.message });
  }
}

port.on('message', (message: ToFollowers) => {
  if (message.type === 'committed') store.wakeSubscriptions();
  else if (message.type === 'hurry')
    (message.follower === 'projector' ? projector : notary).hurry(BigInt(message.position));
  else if (message.type === 'keep-capture-job')
    answer(message.id, () => views.saveCaptureJob(message.captureId, message.orgId, message.job));
  else if (message.type === 'sign-checkpoint')
    answer(message.id, () => notary.checkpointCovering(message.size));
  else if (message.type === 'stop') void stop();
});

/**
 * Does a write the server's thread asked for, between two of the followers' transactions (each is
 * synchronous here, so never inside one), and answers it.
 */
function answer(id: number, write: () => SignedCheckpoint | undefined | void): void {
  if (stopping) return post({ type: 'answered', id, outcome: 'stopping' });
  try {
    const checkpoint = write();
    post({ type: 'answered', id, outcome: 'done', ...(checkpoint ? { checkpoint } : {}) });
  } catch (error) {
    const text = error instanceof Error ? error.message : String(error);
    post({ type: 'answered', id, outcome: 'failed', error: text });
  }
}

async function stop(): Promise<void> {
  if (stopping) return;
  stopping = true;
  await projector.stop();
  await notary.stop();
  views.close();
  await store.close();
  post({ type: 'stopped' });
  port.close();
}

for (const [follower, name] of [
  [projector, 'projector'],
  [notary, 'notary'],
] as const) {
  follower.onInterruption((interruption) =>
    post({ type: 'interrupted', follower: name, ...(interruption ? { message: interruption.message } : {}) }),
  );
}
projector.start();
notary.start();
report();
void watch(projector, 'projector', () => projector.position);
void watch(notary, 'notary', () => BigInt(notary.size));
