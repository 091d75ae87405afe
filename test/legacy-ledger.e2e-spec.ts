import { eventHashV1, SealingEventStore, SqliteEventStore } from '@tracelode/event-store';
import { ReadModelStore } from '@tracelode/read-models';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';

const API_MAIN = resolve(__dirname, '../dist/apps/api/apps/api/src/main.js');
const CLI_MAIN = resolve(__dirname, '../dist/apps/cli/apps/cli/src/main.js');

async function run(main: string, args: string[], env: NodeJS.ProcessEnv) {
  try {
    await promisify(execFile)(process.execPath, [main, ...args], { env, timeout: 30_000 });
    return { code: 0, stderr: '' };
  } catch (error) {
    const failed = error as { code?: number; stdout?: string; stderr?: string };
    return { code: failed.code ?? -1, stderr: `${failed.stdout ?? ''}${failed.stderr ?? ''}` };
  }
}

/** A ledger file written before ADR 0022: events sealed with hash version 1. */
describe('a ledger file sealed with hash version 1', () => {
  let dir: string;
  let path: string;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tracelode-legacy-e2e-'));
    path = join(dir, 'ledger.db');
    const store = new SealingEventStore(SqliteEventStore.open(path), 10, (event, prevHash) => ({
      ...event.metadata,
      prevHash,
      hash: eventHashV1(event, prevHash),
    }));
    await store.append([
      {
        stream: 'org-old',
        expectedRevision: 'no_stream',
        events: [
          {
            eventId: '00000000-0000-4000-8000-000000000001',
            type: 'OrganisationRegistered',
            data: { orgId: 'old', name: 'Old Ltd', country: 'AU', roles: ['producer'] },
            metadata: { schemaVersion: 1 },
          },
        ],
      },
    ]);
    await store.close();
    // The live views `replay` diffs with: there, so that what refuses it is the ledger file. (The server
    // refused at start opens no views file: it opens the views only once the log is accepted.)
    ReadModelStore.open(join(dir, 'views.db')).close();
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const message = () => `The ledger file ${path} holds events sealed with hash version 1`;

  it('stops the server at start, naming the file and what to do', async () => {
    const started = await run(API_MAIN, [], {
      ...process.env,
      TRACELODE_STORE: `sqlite:${path}`,
      TRACELODE_VIEWS: join(dir, 'views.db'),
      TRACELODE_INTEGRITY: join(dir, 'integrity.db'),
      TRACELODE_ADMIN_TOKEN: 'legacy-admin-token-0123456789',
      TRACELODE_PORT: '0',
    });
    expect(started.code).toBe(1);
    expect(started.stderr).toContain(`LegacyLedgerError: ${message()}`);
    expect(started.stderr).toContain('point TRACELODE_STORE at a new, empty store');
  });

  it.each([
    ['rebuild', ['--views', 'rebuilt.db']],
    ['replay', ['--to', 'head', '--out', 'replayed', '--views', 'views.db']],
    ['verify-log', []],
  ])('is refused by tracelode %s', async (command, rest) => {
    const args = [
      command,
      '--store',
      `sqlite:${path}`,
      ...rest.map((arg) => (arg.includes('.') || arg === 'replayed' ? join(dir, arg) : arg)),
    ];
    const refused = await run(CLI_MAIN, args, { ...process.env });
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toContain(message());
  });
});
