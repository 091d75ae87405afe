import type { CheckpointSigner } from '@tracelode/log';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FollowersWorker } from './followers';

// @nestjs/common is ESM-only, which Jest cannot load on Node 20 (ADR 0007): followers.ts needs its Logger.
jest.mock('@nestjs/common', () => ({
  Logger: class {
    error(): void {}
  },
}));

/**
 * How the server's thread hands an EPCIS capture job to the followers' worker to keep (ADR 0031, amended),
 * against worker scripts that answer as the real one can: kept, failed, stopping, or not at all (it died).
 * The real worker keeping a job while the request thread stays free: test/views-writer.e2e-spec.ts.
 */
describe('FollowersWorker.keepCaptureJob', () => {
  let dir: string;
  const started: FollowersWorker[] = [];
  const signer = { keyForWorker: () => undefined } as unknown as CheckpointSigner;

  beforeAll(() => (dir = mkdtempSync(join(tmpdir(), 'tracelode-followers-'))));
  afterAll(async () => {
    await Promise.all(started.map((worker) => worker.stop()));
    rmSync(dir, { recursive: true, force: true });
  });

  /** A worker whose answer to `keep-capture-job` is `answer` (JavaScript run with `message` and `port`). */
  function workerAnswering(name: string, answer: string): FollowersWorker {
    const script = join(dir, `${name}.js`);
    writeFileSync(
      script,
      `const { parentPort: port } = require('node:worker_threads');
       port.on('message', (message) => {
         if (message.type === 'stop') { port.postMessage({ type: 'stopped' }); port.close(); return; }
         if (message.type === 'keep-capture-job') { ${answer} }
       });`,
    );
    const data = {
      storeFile: '',
      viewsPath: '',
      integrityPath: '',
      checkpoint: { everyEvents: 1, everyMs: 1 },
      viewsGatherMs: 0,
    };
    const worker = new FollowersWorker(script, data, signer, 0n);
    started.push(worker);
    return worker;
  }

  it('resolves true once the worker has kept the job, with what it was given', async () => {
    const worker = workerAnswering(
      'kept',
      `port.postMessage({ type: 'capture-job-kept', id: message.id,
         outcome: message.captureId === 'c1' && message.orgId === 'org' && message.job.recorded === 2 ? 'kept' : 'failed',
         error: 'not the job sent' });`,
    );
    worker.start();
    await expect(worker.keepCaptureJob('c1', 'org', { recorded: 2 })).resolves.toBe(true);
  });

  it('rejects with the store’s message when the worker could not keep it', async () => {
    const worker = workerAnswering(
      'failed',
      `port.postMessage({ type: 'capture-job-kept', id: message.id, outcome: 'failed', error: 'database or disk is full' });`,
    );
    worker.start();
    await expect(worker.keepCaptureJob('c1', 'org', {})).rejects.toThrow(
      'The capture job could not be kept: database or disk is full',
    );
  });

  it('resolves false, for the caller to keep it, when the worker is stopping, gone, or never started', async () => {
    const stopping = workerAnswering(
      'stopping',
      `port.postMessage({ type: 'capture-job-kept', id: message.id, outcome: 'stopping' });`,
    );
    stopping.start();
    await expect(stopping.keepCaptureJob('c1', 'org', {})).resolves.toBe(false);

    const dying = workerAnswering('dying', 'process.exit(3);');
    dying.start();
    await expect(dying.keepCaptureJob('c1', 'org', {})).resolves.toBe(false);
    // Gone: asked again, it answers at once.
    await expect(dying.keepCaptureJob('c2', 'org', {})).resolves.toBe(false);

    await expect(workerAnswering('idle', '').keepCaptureJob('c1', 'org', {})).resolves.toBe(false);

    const stopped = workerAnswering(
      'stopped',
      `port.postMessage({ type: 'capture-job-kept', id: message.id, outcome: 'kept' });`,
    );
    stopped.start();
    await stopped.stop();
    await expect(stopped.keepCaptureJob('c1', 'org', {})).resolves.toBe(false);
  });

  it('answers each request by its id when several are in flight', async () => {
    const worker = workerAnswering(
      'several',
      `setTimeout(() => port.postMessage({ type: 'capture-job-kept', id: message.id,
         outcome: message.captureId === 'bad' ? 'failed' : 'kept', error: 'bad job' }), message.captureId === 'slow' ? 50 : 0);`,
    );
    worker.start();
    const results = await Promise.allSettled([
      worker.keepCaptureJob('slow', 'org', {}),
      worker.keepCaptureJob('bad', 'org', {}),
      worker.keepCaptureJob('fast', 'org', {}),
    ]);
    expect(results.map((result) => result.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
  });
});
