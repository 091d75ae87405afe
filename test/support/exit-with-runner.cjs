/**
 * Preloaded (`node --require`) into each server the e2e harness starts: the server watches its stdin, a pipe
 * from the test process, which the kernel closes however that process ends (a finished run, a crash, a
 * worker killed by Jest, Ctrl-C). Then the server stops as an operator would stop it (SIGTERM: graceful).
 * Worker threads inherit the preload; only the main thread watches.
 */
if (require('node:worker_threads').isMainThread) {
  process.stdin.on('end', () => process.kill(process.pid, 'SIGTERM'));
  process.stdin.on('error', () => process.kill(process.pid, 'SIGTERM'));
  process.stdin.resume();
  // The pipe alone must not keep a server alive that is shutting down for its own reasons.
  process.stdin.unref();
}
