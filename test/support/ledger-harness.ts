import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { type KurrentDbWireServer, startKurrentDbWireServer } from '@tracelode/testing';

export interface Reply<T = Record<string, unknown>> {
  status: number;
  headers: Headers;
  body: T;
}

export const ADMIN_TOKEN = 'e2e-admin-token-0123456789';
export const API_MAIN = resolve(__dirname, '../../dist/apps/api/apps/api/src/main.js');

/**
 * A real ledger for an e2e test: the built server (`npm run build`) as its own process, on the embedded
 * SQLite store in a temp dir, answering HTTP on a free port — the way a user runs it.
 *
 * With TRACELODE_E2E_STORE=kurrentdb (`npm run test:e2e:kurrentdb`), a test that does not choose its own
 * store gets a fresh KurrentDB wire-level test server in this (the Jest) process instead, and the API
 * process reaches it through the real client: TRACELODE_STORE=kurrentdb://127.0.0.1:<port>?tls=false.
 */
/** Stops a server whose test process has gone, however it went (see the file). */
const EXIT_WITH_RUNNER = resolve(__dirname, 'exit-with-runner.cjs');

export class LedgerHarness {
  private process?: ChildProcess;
  private exited?: Promise<number | null>;
  baseUrl = '';
  output = '';

  private constructor(
    readonly dir: string,
    private readonly env: Record<string, string>,
    private readonly wire?: KurrentDbWireServer,
  ) {}

  static async start(env: Record<string, string> = {}): Promise<LedgerHarness> {
    if (!existsSync(API_MAIN))
      throw new Error(`${API_MAIN} is missing: run "npm run build" first (npm test does)`);
    const dir = mkdtempSync(join(tmpdir(), 'tracelode-e2e-'));
    const wire =
      process.env.TRACELODE_E2E_STORE === 'kurrentdb' && env.TRACELODE_STORE === undefined
        ? await startKurrentDbWireServer()
        : undefined;
    const ledger = new LedgerHarness(
      dir,
      {
        TRACELODE_STORE: wire?.connectionString ?? `sqlite:${join(dir, 'ledger.db')}`,
        TRACELODE_VIEWS: join(dir, 'views.db'),
        TRACELODE_ADMIN_TOKEN: ADMIN_TOKEN,
        TRACELODE_LOG_LEVEL: 'log',
        // The suites' fixtures are dated in early 2026 (a backfill): record them whatever today's date.
        // A test of the recording window sets its own (test/two-times.e2e-spec.ts).
        TRACELODE_MAX_RECORDING_DELAY: '3650d',
        ...env,
      },
      wire,
    );
    try {
      await ledger.launch();
    } catch (error) {
      wire?.stop();
      throw error;
    }
    return ledger;
  }

  /** Starts the server process on the same files and waits until it listens. */
  async launch(): Promise<void> {
    const child = spawn(process.execPath, ['--require', EXIT_WITH_RUNNER, API_MAIN], {
      env: { ...process.env, ...this.env, TRACELODE_PORT: '0', TRACELODE_HOST: '127.0.0.1' },
      // stdin: the pipe the server watches to stop when this process has gone (exit-with-runner.cjs): a
      // Jest worker killed or crashed left its servers running. A `process.on('exit')` here would not do:
      // in a Jest test file, `process` is a copy whose events the real process never emits.
      stdio: ['pipe', 'pipe', 'pipe'],
      // Not detached: in a session of its own (an autogroup of its own) its read workers, at nice 19, got
      // their share beside other work, but /health waited longer while they ran (ADR 0020, 2026-11-30).
    });
    this.process = child;
    this.exited = new Promise((done) => child.once('exit', (code) => done(code)));
    this.output = '';
    this.baseUrl = await new Promise<string>((ready, fail) => {
      const timer = setTimeout(() => {
        child.kill('SIGKILL');
        fail(new Error(`server did not start in 30 s:\n${this.output}`));
      }, 30000);
      const read = (chunk: Buffer) => {
        this.output += chunk.toString();
        const url = /Tracelode ledger on (http:\/\/[\d.:]+)/.exec(this.output)?.[1];
        if (url) {
          clearTimeout(timer);
          ready(url);
        }
      };
      child.stdout?.on('data', read);
      child.stderr?.on('data', read);
      void this.exited?.then((code) => {
        clearTimeout(timer);
        fail(new Error(`server exited (${code}) before listening:\n${this.output}`));
      });
    });
  }

  /** The event store the server runs on (TRACELODE_STORE), to read its log once the server is shut down. */
  get storeUrl(): string {
    return this.env.TRACELODE_STORE ?? '';
  }

  /** The server process's id (to read its memory from /proc). */
  get pid(): number | undefined {
    return this.process?.pid;
  }

  /** Resolves with the server process's exit code (null when a signal ended it) once it has exited. */
  get exit(): Promise<number | null> {
    return this.exited ?? Promise.resolve(null);
  }

  /** SIGKILL: no shutdown hooks, no flush — a crash. */
  async kill(): Promise<void> {
    this.process?.kill('SIGKILL');
    await this.exited;
  }

  /**
   * A shutdown (SIGTERM) timed: `exit <code> after <ms> ms`, then the server's last lines, which say where
   * a stop waited and how it ended.
   */
  async timedShutdown(): Promise<string> {
    const started = Date.now();
    await this.shutdown();
    const code = await this.exit;
    return `exit ${code} after ${Date.now() - started} ms\n${this.output.split('\n').slice(-25).join('\n')}`;
  }

  /** A clean shutdown (SIGTERM) that keeps the files, for tests that read or alter them offline. */
  async shutdown(): Promise<void> {
    this.process?.kill('SIGTERM');
    await this.exited;
  }

  /** A clean shutdown (SIGTERM), then the temp files go. */
  async stop(): Promise<void> {
    this.process?.kill('SIGTERM');
    await this.exited;
    this.wire?.stop();
    rmSync(this.dir, { recursive: true, force: true });
  }

  async request<T = Record<string, unknown>>(
    method: string,
    path: string,
    options: { token?: string; body?: unknown; rawBody?: string; headers?: Record<string, string> } = {},
  ): Promise<Reply<T>> {
    const headers: Record<string, string> = { ...options.headers };
    if (options.token) headers.authorization = `Bearer ${options.token}`;
    let body: string | undefined;
    if (options.rawBody !== undefined) body = options.rawBody;
    else if (options.body !== undefined) body = JSON.stringify(options.body);
    if (body !== undefined) headers['content-type'] ??= 'application/json';
    const response = await fetch(`${this.baseUrl}${path}`, { method, headers, body });
    const text = await response.text();
    const json = (response.headers.get('content-type') ?? '').includes('json');
    return {
      status: response.status,
      headers: response.headers,
      body: (json && text ? JSON.parse(text) : text) as T,
    };
  }

  post<T = Record<string, unknown>>(
    path: string,
    token: string,
    body: unknown,
    headers?: Record<string, string>,
  ) {
    return this.request<T>('POST', path, { token, body, ...(headers ? { headers } : {}) });
  }

  get<T = Record<string, unknown>>(path: string, token: string) {
    return this.request<T>('GET', path, { token });
  }

  /** Events in the log: positions are gap-free, so the head position is the count. */
  async eventCount(): Promise<number> {
    const health = await this.request<{ logPosition: string }>('GET', '/health');
    return Number(health.body.logPosition);
  }

  /** Registers an organisation with one facility per entry and returns its API key. */
  async organisation(
    orgId: string,
    country: string,
    roles: string[],
    facilities: { facilityId: string; kind: string }[] = [],
  ): Promise<string> {
    const registered = await this.post<{ apiKey: string }>('/orgs', ADMIN_TOKEN, {
      orgId,
      name: `${orgId} Ltd`,
      country,
      roles,
    });
    if (registered.status !== 201)
      throw new Error(`registering ${orgId}: ${JSON.stringify(registered.body)}`);
    for (const facility of facilities) {
      const reply = await this.post(`/orgs/${orgId}/facilities`, registered.body.apiKey, {
        ...facility,
        name: facility.facilityId,
        country,
      });
      if (reply.status !== 201)
        throw new Error(`facility ${facility.facilityId}: ${JSON.stringify(reply.body)}`);
    }
    return registered.body.apiKey;
  }
}

/** Two producers (a mine in Australia, a refinery in Malaysia) and a regulator, as most tests need. */
export async function standardParties(ledger: LedgerHarness) {
  const miner = await ledger.organisation(
    'mineco',
    'AU',
    ['producer'],
    [
      { facilityId: 'mt-weld', kind: 'mine' },
      { facilityId: 'fremantle', kind: 'port' },
    ],
  );
  const refiner = await ledger.organisation(
    'refco',
    'MY',
    ['producer'],
    [{ facilityId: 'kuantan', kind: 'processing_plant' }],
  );
  const regulator = await ledger.organisation('customs-au', 'AU', ['regulator']);
  const certifier = await ledger.organisation('irma-audit', 'DE', ['certifier']);
  return { miner, refiner, regulator, certifier };
}

export const minedBatch = (batchId: string, massKg = 25000.5) => ({
  batchId,
  facilityId: 'mt-weld',
  material: { form: 'concentrate', elements: ['Nd', 'Pr'], grade: { TREO: 41.2 } },
  massKg,
  occurredAt: '2026-03-01T08:00:00+08:00',
});

/** A general export licence for concentrate to Japan, valid through 2026, as a regulator grants it. */
export const generalLicence = (licenceId: string, holderOrgId = 'mineco') => ({
  licenceId,
  holderOrgId,
  type: 'general',
  items: [{ form: 'concentrate', elements: ['Nd', 'Pr'] }],
  destinations: ['JP'],
  quantityKg: 10000,
  validFrom: '2026-01-01T00:00:00Z',
  validUntil: '2026-12-31T23:59:59Z',
  occurredAt: '2026-01-01T00:00:00Z',
});

export const shipment = (shipmentId: string) => ({
  shipmentId,
  toOrgId: 'refco',
  toFacilityId: 'kuantan',
  occurredAt: '2026-03-05T06:00:00+08:00',
  documents: [{ type: 'bill_of_lading', number: 'MAEU-1' }],
});

/** A custody command a load client sends. */
export type CustodyEventType = 'BatchMined' | 'BatchShipped' | 'BatchReceived';

/** Sends one command for a load client: true while the client should go on. */
export type SendCustodyCommand = (
  batchId: string,
  type: CustodyEventType,
  path: string,
  token: string,
  body: unknown,
  idempotencyKey?: string,
) => Promise<boolean>;

/**
 * One load client of the crash and shutdown tests: lots `{prefix}-{client}-{n}`, each mined, shipped and
 * received (every other client with idempotency keys), until `send` says stop or `stopped()` holds.
 */
export async function custodyChains(
  prefix: string,
  client: number,
  parties: { readonly miner: string; readonly refiner: string },
  send: SendCustodyCommand,
  stopped: () => boolean = () => false,
): Promise<void> {
  for (let n = 0; !stopped(); n++) {
    const batchId = `${prefix}-${client}-${n}`;
    const key = (step: string) => (client % 2 === 1 ? `${batchId}-${step}` : undefined);
    const shipmentId = `S-${batchId}`;
    const receipt = { shipmentId, receivedMassKg: 25000.25, occurredAt: '2026-03-19T14:00:00+08:00' };
    if (
      !(await send(batchId, 'BatchMined', '/batches/mined', parties.miner, minedBatch(batchId), key('mine')))
    )
      return;
    const shipmentsPath = `/batches/${batchId}/shipments`;
    if (
      !(await send(batchId, 'BatchShipped', shipmentsPath, parties.miner, shipment(shipmentId), key('ship')))
    )
      return;
    const receiptsPath = `/batches/${batchId}/receipts`;
    if (!(await send(batchId, 'BatchReceived', receiptsPath, parties.refiner, receipt, key('receive'))))
      return;
  }
}
