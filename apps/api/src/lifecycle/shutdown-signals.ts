import { type INestApplication, Logger } from '@nestjs/common';

const SIGNALS = ['SIGTERM', 'SIGINT'] as const;

/**
 * On SIGTERM or SIGINT, closes the app — Nest's shutdown hooks, in order: HttpDrain stops accepting and
 * finishes the requests in flight; the ledger's followers catch up, sign a last checkpoint and stop; the
 * store and the views close — and exits 0. A shutdown that fails, or takes longer than `timeoutMs`, is
 * logged and exits 1: whatever was acknowledged is in the log either way (the store is crash-safe), but a
 * supervisor should know that this stop was not clean. A second signal while stopping is logged only.
 */
export function exitOnShutdownSignals(app: INestApplication, timeoutMs: number): void {
  const logger = new Logger('Shutdown');
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) {
      logger.warn(`${signal} while shutting down: still finishing (hard deadline ${timeoutMs} ms)`);
      return;
    }
    stopping = true;
    const started = performance.now();
    logger.log(`${signal}: shutting down (hard deadline ${timeoutMs} ms)`);
    const deadline = setTimeout(() => {
      logger.error(
        `Shutdown did not finish within ${timeoutMs} ms; exiting with code 1 (acknowledged commands are durable; the views and the notary catch up on the next start)`,
      );
      process.exit(1);
    }, timeoutMs);
    deadline.unref();
    app.close().then(
      () => {
        logger.log(`Shut down cleanly in ${Math.round(performance.now() - started)} ms`);
        process.exit(0);
      },
      (error: unknown) => {
        logger.error(
          `Shutdown failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
        );
        process.exit(1);
      },
    );
  };
  for (const signal of SIGNALS) process.on(signal, () => stop(signal));
}
