import 'reflect-metadata';
import { createApp } from './app.factory';
import { ConfigError, loadConfig } from './config/ledger-config';
import type { Logger } from 'pino';
import { ROOT_LOGGER } from './observability/observability.module';

/** A KurrentDB connection string may carry a user and password: never logged. */
const withoutCredentials = (url: string) => url.replace(/\/\/[^@/]*@/, '//');

async function main(): Promise<void> {
  const config = loadConfig();
  const app = await createApp(config);
  await app.listen(config.port, config.host);
  // Logged at info whatever the level: operators, the demo, the bench and the e2e harness read the address here.
  app
    .get<Logger>(ROOT_LOGGER)
    .child({}, { level: 'info' })
    .info(
      `Tracelode ledger on ${await app.getUrl()} (store ${withoutCredentials(config.storeUrl)}); API docs at /docs`,
    );
}

main().catch((error: unknown) => {
  console.error(error instanceof ConfigError ? `Configuration error: ${error.message}` : error);
  process.exit(1);
});
