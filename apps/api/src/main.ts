import 'reflect-metadata';
import { createApp } from './app.factory';
import { ConfigError, loadConfig } from './config/ledger-config';
import { exitOnShutdownSignals } from './lifecycle/shutdown-signals';

async function main(): Promise<void> {
  const config = loadConfig();
  const app = await createApp(config);
  exitOnShutdownSignals(app, config.shutdownTimeoutMs);
  await app.listen(config.port, config.host);
  // Printed whatever the log level: operators, the demo, the bench and the e2e harness read the address here.
  console.log(`Tracelode ledger on ${await app.getUrl()} (store ${config.storeUrl}); API docs at /docs`);
}

main().catch((error: unknown) => {
  console.error(error instanceof ConfigError ? `Configuration error: ${error.message}` : error);
  process.exit(1);
});
