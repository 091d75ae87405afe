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
 * How the server's thread hands an EPCIS capture job to keep, or a checkpoint to sign, to the followers'
 * worker, the one writer of their files (ADR 0031, amended), against worker scripts that answer as the real
 * one can: done, failed, stopping, or not at all (it died). The real worker doing both while the request
 * thread stays free: test/views-writer.e2e-spec.ts.
 */
describe('FollowersWorker: writes asked of the worker', () => {
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
         if (message.type === 'keep-capture-job' || message.type === 'sign-checkpoint') { ${answer} }
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
      `port.postMessage({ type: 'answered', id: message.id,
         outcome: message.captureId === 'c1' && message.orgId === 'org' && message.job.recorded === 2 ? 'done' : 'failed',
         error: 'not the job sent' });`,
    );
    worker.start();
    await expect(worker.keepCaptureJob('c1', 'org', { recorded: 2 })).resolves.toBe(true);
  });

  it('rejects with the store’s message when the worker could not keep it', async () => {
    const worker = workerAnswering(
      'failed',
      `port.postMessage({ type: 'answered', id: message.id, outcome: 'failed', error: 'database or disk is full' });`,
    );
    worker.start();
    await expect(worker.keepCaptureJob('c1', 'org', {})).rejects.toThrow(
      'The capture job could not be kept: database or disk is full',
    );
  });

  it('resolves false, for the caller to keep it, when the worker is stopping, gone, or never started', async () => {
    const stopping = workerAnswering(
      'stopping',
      `port.postMessage({ type: 'answered', id: message.id, outcome: 'stopping' });`,
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
      `port.postMessage({ type: 'answered', id: message.id, outcome: 'done' });`,
    );
    stopped.start();
    await stopped.stop();
    await expect(stopped.keepCaptureJob('c1', 'org', {})).resolves.toBe(false);
  });

  it('answers each request by its id when several are in flight', async () => {
    const worker = workerAnswering(
      'several',
      `setTimeout(() => port.postMessage({ type: 'answered', id: message.id,
         outcome: message.captureId === 'bad' ? 'failed' : 'done', error: 'bad job' }), message.captureId === 'slow' ? 50 : 0);`,
    );
    worker.start();
    const results = await Promise.allSettled([
      worker.keepCaptureJob('slow', 'org', {}),
      worker.keepCaptureJob('bad', 'org', {}),
      worker.keepCaptureJob('fast', 'org', {}),
    ]);
    expect(results.map((result) => result.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
  });

  it('hands back the checkpoint the worker signed, none, or false when the worker is stopping', async () => {
    const checkpoint = {
      treeSize: 7,
      rootHash: 'ab',
      timestamp: '2026-11-30T00:00:00.000Z',
      keyId: 'k',
      signature: 's',
    };
    const worker = workerAnswering(
      'signer',
      `port.postMessage(message.size === 7
         ? { type: 'answered', id: message.id, outcome: 'done', checkpoint: ${JSON.stringify(checkpoint)} }
         : message.size === 8 ? { type: 'answered', id: message.id, outcome: 'done' }
         : message.size === 9 ? { type: 'answered', id: message.id, outcome: 'stopping' }
         : { type: 'answered', id: message.id, outcome: 'failed', error: 'attempt to write a readonly database' });`,
    );
    worker.start();
    await expect(worker.signCheckpoint(7)).resolves.toEqual(checkpoint);
    await expect(worker.signCheckpoint(8)).resolves.toBeUndefined();
    await expect(worker.signCheckpoint(9)).resolves.toBe(false);
    await expect(worker.signCheckpoint(10)).rejects.toThrow(
      'The checkpoint could not be signed: attempt to write a readonly database',
    );
  });
});
