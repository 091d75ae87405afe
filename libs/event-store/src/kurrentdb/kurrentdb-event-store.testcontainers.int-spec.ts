import { spawnSync } from 'node:child_process';
import { describeEventStoreContract } from '@tracelode/testing';
import { KurrentDbEventStore } from './kurrentdb-event-store';

/*
 * The contract suite against a real KurrentDB in a container, configured as @testcontainers/kurrentdb
 * configures it (that module needs testcontainers 12, which crashes at import on Node 20). Without a
 * Docker engine the suite is reported as skipped, with the reason printed — never silently green.
 */
const IMAGE = 'kurrentplatform/kurrentdb:26.1';

/** Asks testcontainers (in a child process, so the answer is known before Jest collects tests) for a runtime. */
function containerRuntime(): { available: true } | { available: false; reason: string } {
  const probe = spawnSync(
    process.execPath,
    [
      '-e',
      `require('testcontainers').getContainerRuntimeClient().then(
         () => process.exit(0),
         (error) => { process.stderr.write(String(error && error.message)); process.exit(3); })`,
    ],
    { encoding: 'utf8', timeout: 60_000 },
  );
  if (probe.status === 0) return { available: true };
  const reason =
    probe.stderr.trim().split('\n').at(-1) || `probe ended with ${String(probe.status ?? probe.signal)}`;
  return { available: false, reason };
}

const runtime = containerRuntime();
const skipReason = runtime.available ? undefined : `no Docker engine answers — ${runtime.reason}`;
// Straight to stderr: Jest does not print console output of a test file whose tests were all skipped
// when it runs several files (worker output is forwarded to the terminal as is).
if (skipReason !== undefined)
  process.stderr.write(`\nSkipping the KurrentDB testcontainers contract suite (${IMAGE}): ${skipReason}\n`);

(skipReason === undefined ? describe : describe.skip)(
  `KurrentDbEventStore on a real KurrentDB (${IMAGE})${skipReason === undefined ? '' : ` — skipped: ${skipReason}`}`,
  () => {
    jest.setTimeout(180_000);

    // The contract expects an empty log per test, so each test gets its own single-node container.
    describeEventStoreContract('KurrentDbEventStore (testcontainers)', async () => {
      // Loaded only here: the module is heavy, and only needed when a Docker engine answers.
      const { GenericContainer, Wait } = await import('testcontainers');
      const container = await new GenericContainer(IMAGE)
        .withEnvironment({
          KURRENTDB_CLUSTER_SIZE: '1',
          KURRENTDB_INSECURE: 'true',
          KURRENTDB_RUN_PROJECTIONS: 'None',
        })
        .withExposedPorts(2113)
        .withWaitStrategy(Wait.forHttp('/health/live', 2113).forStatusCode(204))
        .start();
      const url = `kurrentdb://${container.getHost()}:${container.getMappedPort(2113)}?tls=false`;
      const store = await KurrentDbEventStore.connect(url);
      return {
        store,
        cleanup: async () => {
          await store.close();
          await container.stop();
        },
      };
    });
  },
);
