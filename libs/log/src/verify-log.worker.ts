import { parentPort, workerData } from 'node:worker_threads';
import { RangeVerifier, type RangeTask, type RangeVerifierFiles } from './verify-log-range';

/**
 * A verify-log worker thread (verifyLogFile): opens the log (and integrity) file read-only and checks the
 * ranges it is sent, one at a time, answering each with its result (the leaves transferred, not copied).
 */
const verifier = RangeVerifier.open(workerData as RangeVerifierFiles);
parentPort!.on('message', (task: RangeTask) => {
  try {
    const result = verifier.verify(task);
    parentPort!.postMessage({ type: 'result', result }, [result.leaves]);
  } catch (error) {
    const { message, stack } = error instanceof Error ? error : new Error(String(error));
    parentPort!.postMessage({ type: 'error', message, stack });
  }
});
