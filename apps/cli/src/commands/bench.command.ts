import { type AppendResult, SqliteEventStore, type StreamWrite } from '@tracelode/event-store';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { availableParallelism, cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { EventEmitter } from 'node:events';
import { LedgerProcess } from '../support/ledger-process';
import { benchDemoBundle, benchLogVerification, benchSealing } from './bench-integrity';
import { benchBoundedReads } from './bench-bounded-reads';
import { benchProvenance } from './bench-provenance';
import { withMetricsDeltas } from './bench-metrics';

/**
 * `tracelode bench`: how many durable commands per second the real, built API server acknowledges over
 * HTTP, next to what the embedded store alone can append on the same machine. Progress goes to stderr;
 * the result is one JSON object on stdout.
 */

const ADMIN_TOKEN = 'bench-admin-token-0123456789';
const ORG_ID = 'bench-mineco';
const MINE_ID = 'bench-mt-weld';

interface BenchOptions {
  readonly connections: number;
  readonly warmupSec: number;
  readonly durationSec: number;
  readonly rawConcurrency: number;
  readonly rawDurationSec: number;
  readonly rawSequentialSec: number;
}

const DEFAULTS: BenchOptions = {
  connections: 32,
  warmupSec: 5,
  durationSec: 20,
  rawConcurrency: 64,
  rawDurationSec: 10,
  rawSequentialSec: 3,
};

const FLAGS: Record<string, keyof BenchOptions> = {
  '--connections': 'connections',
  '--warmup': 'warmupSec',
  '--duration': 'durationSec',
  '--raw-concurrency': 'rawConcurrency',
  '--raw-duration': 'rawDurationSec',
  '--raw-sequential': 'rawSequentialSec',
};

/** Ledger sizes for the provenance case: the large one (1M events) takes minutes to build, so it is opt-in. */
const PROVENANCE_SIZES = { default: [10_000, 100_000], large: [10_000, 1_000_000] };

/** Events in the log whose verification rate is measured: enough that start-up cost does not count. */
const VERIFIED_LOG_EVENTS = 1_000_000;

export async function bench(args: string[]): Promise<number> {
  const large = args.includes('--large');
  const options = parseOptions(args.filter((arg) => arg !== '--large'));
  const dir = mkdtempSync(join(tmpdir(), 'tracelode-bench-'));
  const server = new BenchServer(dir);
  // Ctrl-C or a kill skips the finally below: clean up here too.
  const interrupted = (signal: NodeJS.Signals) => {
    server.kill();
    rmSync(dir, { recursive: true, force: true });
    process.exit(signal === 'SIGINT' ? 130 : 143);
  };
  process.once('SIGINT', interrupted);
  process.once('SIGTERM', interrupted);
  try {
    progress(`temp dir ${dir}`);
    const url = await server.start();
    progress(`server on ${url}`);
    const http = await withMetricsDeltas(url, ADMIN_TOKEN, () => driveHttp(url, options, server), progress);
    await server.stop();
    const minedInLog = await countMinedEvents(join(dir, 'ledger.db'));
    progress(`BatchMined events in the log: ${minedInLog}; 201s received: ${http.total201}`);

    const raw = await rawConcurrentAppends(join(dir, 'raw.db'), options);
    const sequential = await rawSequentialAppends(join(dir, 'raw-sequential.db'), options);
    const provenance = await benchProvenance(
      large ? PROVENANCE_SIZES.large : PROVENANCE_SIZES.default,
      progress,
    );
    const sealing = await benchSealing(progress);
    const logVerification = await benchLogVerification(VERIFIED_LOG_EVENTS, progress);
    const demoBundle = await benchDemoBundle(progress);
    const boundedReads = await benchBoundedReads(progress);

    const result = {
      commandsPerSec: round(http.commandsPerSec),
      p50Ms: round(http.p50Ms, 2),
      p90Ms: round(http.p90Ms, 2),
      p99Ms: round(http.p99Ms, 2),
      maxMs: round(http.maxMs, 2),
      connections: options.connections,
      durationSec: round(http.durationSec, 2),
      warmupSec: options.warmupSec,
      commands: http.measured201,
      non2xx: http.non2xx,
      errors: http.errors,
      timeouts: http.timeouts,
      viewsLagAtEnd: http.viewsLagAtEnd,
      serverCpuUsPerCommand: http.serverCpuUsPerCommand,
      serverCpuCores: http.serverCpuCores,
      serverCpuWaitCores: http.serverCpuWaitCores,
      benchCpuCores: http.benchCpuCores,
      rawAppendsPerSec: round(raw.appendsPerSec),
      rawConcurrency: options.rawConcurrency,
      rawEventsPerCommit: round(raw.eventsPerCommit, 1),
      rawSequentialAppendsPerSec: round(sequential.appendsPerSec),
      ratioHttpToRaw: round(http.commandsPerSec / raw.appendsPerSec, 3),
      eventsMatch201s: minedInLog === http.total201,
      provenance,
      sealing,
      logVerification,
      demoBundle,
      boundedReads,
      node: process.version,
      cpus: availableParallelism(),
      cpuModel: cpus()[0]?.model ?? 'unknown',
    };
    process.stdout.write(`${JSON.stringify(result)}\n`);
    const sound = result.non2xx === 0 && result.errors === 0 && result.eventsMatch201s;
    return sound && logVerification.verified && demoBundle.verified ? 0 : 1;
  } finally {
    process.off('SIGINT', interrupted);
    process.off('SIGTERM', interrupted);
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

function parseOptions(args: string[]): BenchOptions {
  const options: Record<keyof BenchOptions, number> = { ...DEFAULTS };
  for (let i = 0; i < args.length; i++) {
    const flag = args[i]!;
    const key = FLAGS[flag];
    const value = Number(args[i + 1]);
    if (!key || !Number.isFinite(value) || value <= 0) {
      throw new Error(
        `bench: unknown flag or bad value "${flag} ${args[i + 1] ?? ''}"; flags: ${Object.keys(FLAGS).join(', ')}`,
      );
    }
    options[key] = value;
    i++;
  }
  return options;
}

const progress = (message: string) => process.stderr.write(`[bench] ${message}\n`);

const round = (value: number, digits = 0) => {
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
};

/** The built API server as a child process on the temp dir's files, like a user runs it. */
class BenchServer {
  private process?: LedgerProcess;

  constructor(private readonly dir: string) {}

  async start(): Promise<string> {
    // e.g. TRACELODE_BENCH_SERVER_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof" to profile the server.
    const nodeArgs = (process.env.TRACELODE_BENCH_SERVER_NODE_ARGS ?? '').split(/\s+/).filter(Boolean);
    this.process = await LedgerProcess.start(
      {
        TRACELODE_STORE: `sqlite:${join(this.dir, 'ledger.db')}`,
        TRACELODE_VIEWS: join(this.dir, 'views.db'),
        TRACELODE_ADMIN_TOKEN: ADMIN_TOKEN,
        // main.ts prints "Tracelode ledger on <url>" whatever the level.
        TRACELODE_LOG_LEVEL: 'warn',
      },
      nodeArgs,
    );
    return this.process.url;
  }

  /**
   * CPU time the server has used so far (all its threads) and time its threads waited for a CPU, in
   * milliseconds, from Linux's /proc/<pid>/task/<tid>/schedstat; undefined where that is not available.
   */
  cpuMs(): { runMs: number; waitMs: number } | undefined {
    const pid = this.process?.pid;
    if (pid === undefined) return undefined;
    try {
      const tasks = readdirSync(`/proc/${pid}/task`);
      let runNs = 0;
      let waitNs = 0;
      for (const task of tasks) {
        try {
          const [run, wait] = readFileSync(`/proc/${pid}/task/${task}/schedstat`, 'utf8').split(' ');
          runNs += Number(run);
          waitNs += Number(wait);
        } catch {
          // the thread ended between the listing and the read
        }
      }
      return { runMs: runNs / 1e6, waitMs: waitNs / 1e6 };
    } catch {
      return undefined;
    }
  }

  kill(): void {
    this.process?.kill();
  }

  async stop(): Promise<void> {
    await this.process?.stop();
  }
}

async function request<T>(
  url: string,
  method: string,
  path: string,
  token?: string,
  body?: unknown,
): Promise<{ status: number; body: T }> {
  const headers: Record<string, string> = {};
  if (token) headers.authorization = `Bearer ${token}`;
  if (body !== undefined) headers['content-type'] = 'application/json';
  const response = await fetch(`${url}${path}`, {
    method,
    headers,
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  return { status: response.status, body: (await response.json()) as T };
}

async function expectCreated<T>(what: string, reply: Promise<{ status: number; body: T }>): Promise<T> {
  const { status, body } = await reply;
  if (status !== 201) throw new Error(`${what}: HTTP ${status} ${JSON.stringify(body)}`);
  return body;
}

// The slice of autocannon's programmatic API the bench uses (the package ships no types).
interface AutocannonRequest {
  method?: string;
  path?: string;
  headers?: Record<string, string>;
  body?: string;
}
interface AutocannonOptions {
  url: string;
  connections: number;
  duration: number;
  timeout?: number;
  headers?: Record<string, string>;
  requests: { setupRequest: (request: AutocannonRequest) => AutocannonRequest }[];
}
interface AutocannonResult {
  errors: number;
  timeouts: number;
}
type AutocannonInstance = EventEmitter & PromiseLike<AutocannonResult>;
type Autocannon = (options: AutocannonOptions) => AutocannonInstance;

interface HttpFigures {
  readonly commandsPerSec: number;
  readonly p50Ms: number;
  readonly p90Ms: number;
  readonly p99Ms: number;
  readonly maxMs: number;
  readonly durationSec: number;
  readonly measured201: number;
  readonly total201: number;
  readonly non2xx: number;
  readonly errors: number;
  readonly timeouts: number;
  readonly viewsLagAtEnd: number;
  /** Server CPU time per acknowledged command in the window (all threads), when measurable. */
  readonly serverCpuUsPerCommand: number | null;
  /** Cores the server kept busy on average during the window. */
  readonly serverCpuCores: number | null;
  /** Server threads ready to run but waiting for a CPU, on average, during the window (contention). */
  readonly serverCpuWaitCores: number | null;
  /** Cores this process (autocannon) kept busy on average during the window. */
  readonly benchCpuCores: number;
}

interface CpuSample {
  readonly at: number;
  readonly server: { runMs: number; waitMs: number } | undefined;
  readonly benchUs: number;
}

/**
 * Registers a producer with a mine, then posts mined batches (a new batchId each) from `connections`
 * connections: a warm-up, then the measured window. When the window closes, connections switch to
 * GET /health, so every command already sent gets its answer (autocannon drops in-flight requests when
 * it stops, and an unanswered command that committed would spoil the 201s-versus-log check); latency and
 * throughput are taken from the 201s that arrive inside the window.
 */
async function driveHttp(url: string, options: BenchOptions, server: BenchServer): Promise<HttpFigures> {
  const { apiKey } = await expectCreated<{ apiKey: string }>(
    'registering the organisation',
    request(url, 'POST', '/orgs', ADMIN_TOKEN, {
      orgId: ORG_ID,
      name: 'Bench Mining Co',
      country: 'AU',
      roles: ['producer'],
    }),
  );
  await expectCreated(
    'registering the mine',
    request(url, 'POST', `/orgs/${ORG_ID}/facilities`, apiKey, {
      facilityId: MINE_ID,
      kind: 'mine',
      name: 'Bench Mount Weld',
      country: 'AU',
    }),
  );

  const autocannon = createRequire(__filename)('autocannon') as Autocannon;
  const runId = Date.now().toString(36);
  let sequence = 0;
  let sending = true;
  const start = performance.now();
  const windowStart = start + options.warmupSec * 1000;
  const windowEnd = windowStart + options.durationSec * 1000;
  const latencies: number[] = [];
  let total201 = 0;
  let non2xx = 0;
  let firstInWindow = Infinity;
  let lastInWindow = 0;

  const minedBatch = (): AutocannonRequest => ({
    method: 'POST',
    path: '/batches/mined',
    headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' },
    body: JSON.stringify({
      batchId: `B-${runId}-${++sequence}`,
      facilityId: MINE_ID,
      material: { form: 'concentrate', elements: ['Nd', 'Pr', 'Dy'], grade: { TREO: 41.2, Nd2O3: 18.4 } },
      massKg: 25000.5,
      extractionEmissionsKgCo2e: 3200,
      occurredAt: '2026-03-01T08:00:00+08:00',
    }),
  });
  const health: AutocannonRequest = { method: 'GET', path: '/health', headers: {} };

  progress(
    `HTTP: ${options.connections} connections, ${options.warmupSec} s warm-up + ${options.durationSec} s measured`,
  );
  const instance = autocannon({
    url,
    connections: options.connections,
    // One spare second in which connections only ask /health, so in-flight commands finish.
    duration: options.warmupSec + options.durationSec + 1,
    timeout: 10,
    requests: [
      {
        setupRequest: () => {
          if (sending && performance.now() >= windowEnd) sending = false;
          return sending ? minedBatch() : health;
        },
      },
    ],
  });
  instance.on('response', (_client: unknown, statusCode: number, _bytes: number, responseTime: number) => {
    const now = performance.now();
    if (statusCode === 201) {
      total201++;
      if (now >= windowStart && now - responseTime >= windowStart && now <= windowEnd) {
        latencies.push(responseTime);
        firstInWindow = Math.min(firstInWindow, now);
        lastInWindow = now;
      }
    } else if (statusCode < 200 || statusCode >= 300) {
      non2xx++;
    }
  });
  const cpu: CpuSample[] = [];
  const sampleCpu = () => {
    const { user, system } = process.cpuUsage();
    cpu.push({ at: performance.now(), server: server.cpuMs(), benchUs: user + system });
  };
  const cpuTimers = [windowStart, windowEnd].map((at) => setTimeout(sampleCpu, at - performance.now()));
  const ticker = setInterval(() => {
    const phase = performance.now() < windowStart ? 'warm-up' : sending ? 'measuring' : 'draining';
    progress(`${phase}: ${total201} commands acknowledged, ${non2xx} non-2xx`);
  }, 5000);
  let result: AutocannonResult;
  try {
    result = await instance;
  } finally {
    clearInterval(ticker);
    cpuTimers.forEach(clearTimeout);
  }

  const { body: head } = await request<{ logPosition: string; viewsPosition: string }>(url, 'GET', '/health');
  latencies.sort((a, b) => a - b);
  const at = (q: number) =>
    latencies[Math.min(latencies.length - 1, Math.ceil(q * latencies.length) - 1)] ?? NaN;
  const durationSec = options.durationSec;
  progress(
    `HTTP done: ${latencies.length} commands in the window, ${total201} in all, ${non2xx} non-2xx, ` +
      `${result.errors} errors (first/last 201 in window at +${round(firstInWindow - windowStart)}/` +
      `+${round(lastInWindow - windowStart)} ms)`,
  );
  return {
    commandsPerSec: latencies.length / durationSec,
    p50Ms: at(0.5),
    p90Ms: at(0.9),
    p99Ms: at(0.99),
    maxMs: latencies.at(-1) ?? NaN,
    durationSec,
    measured201: latencies.length,
    total201,
    non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
    viewsLagAtEnd: Number(head.logPosition) - Number(head.viewsPosition),
    ...cpuFigures(cpu, latencies.length),
  };
}

/** Counts the BatchMined events in the (closed) ledger's log by reading it through the store. */
async function countMinedEvents(path: string): Promise<number> {
  const store = SqliteEventStore.open(path);
  try {
    let mined = 0;
    for await (const event of store.readAll()) if (event.type === 'BatchMined') mined++;
    return mined;
  } finally {
    await store.close();
  }
}

/** A realistic event: a BatchMined-like payload of about 500 bytes and the API's envelope metadata. */
function rawWrite(stream: string, n: number): StreamWrite {
  const commandId = randomUUID();
  return {
    stream,
    expectedRevision: 'no_stream',
    events: [
      {
        eventId: randomUUID(),
        type: 'BatchMined',
        data: {
          batchId: stream,
          orgId: ORG_ID,
          facilityId: MINE_ID,
          material: {
            form: 'concentrate',
            elements: ['Nd', 'Pr', 'Dy', 'Tb'],
            grade: { TREO: 41.2, Nd2O3: 18.4, Pr6O11: 5.1, Dy2O3: 0.4 },
          },
          massGrams: 25000500 + n,
          extractionEmissionsKgCo2e: 3200,
          occurredAt: '2026-03-01T08:00:00+08:00',
          note: 'Run-of-mine ore, crushed and floated at the concentrator; lot sealed for shipment.',
        },
        metadata: {
          commandId,
          commandType: 'MineBatch',
          actor: { orgId: ORG_ID, keyId: 'b7c4b0b2-4a50-4a9f-9d7a-2b1f1c3a9e10', roles: ['producer'] },
          occurredAt: '2026-03-01T08:00:00+08:00',
          recordedAt: new Date().toISOString(),
          correlationId: commandId,
          causationId: commandId,
          schemaVersion: 1,
        },
      },
    ],
  };
}

/** `concurrency` appenders, each appending one event to a new stream at a time, for the raw duration. */
async function rawConcurrentAppends(
  path: string,
  options: BenchOptions,
): Promise<{ appendsPerSec: number; eventsPerCommit: number }> {
  progress(`raw store: ${options.rawConcurrency} concurrent appenders for ${options.rawDurationSec} s`);
  const store = SqliteEventStore.open(path);
  try {
    await warmStore(store);
    const before = store.stats;
    let appended = 0;
    const started = performance.now();
    const deadline = started + options.rawDurationSec * 1000;
    const appender = async (worker: number) => {
      for (let i = 0; performance.now() < deadline; i++) {
        await store.append([rawWrite(`raw-${worker}-${i}`, i)]);
        appended++;
      }
    };
    await Promise.all(Array.from({ length: options.rawConcurrency }, (_, worker) => appender(worker)));
    const elapsedSec = (performance.now() - started) / 1000;
    const commits = store.stats.commits - before.commits;
    progress(`raw store: ${appended} appends in ${round(elapsedSec, 2)} s, ${commits} commits`);
    return { appendsPerSec: appended / elapsedSec, eventsPerCommit: appended / Math.max(1, commits) };
  } finally {
    await store.close();
  }
}

/** One appender, one commit (and fsync) per event: the store's latency-bound floor. */
async function rawSequentialAppends(path: string, options: BenchOptions): Promise<{ appendsPerSec: number }> {
  progress(`raw store: one sequential appender for ${options.rawSequentialSec} s`);
  const store = SqliteEventStore.open(path);
  try {
    await warmStore(store);
    let appended = 0;
    const started = performance.now();
    const deadline = started + options.rawSequentialSec * 1000;
    while (performance.now() < deadline) {
      await store.append([rawWrite(`seq-${appended}`, appended)]);
      appended++;
    }
    const elapsedSec = (performance.now() - started) / 1000;
    progress(`raw store: ${appended} sequential appends in ${round(elapsedSec, 2)} s`);
    return { appendsPerSec: appended / elapsedSec };
  } finally {
    await store.close();
  }
}

async function warmStore(store: SqliteEventStore): Promise<AppendResult[]> {
  return Promise.all(Array.from({ length: 100 }, (_, i) => store.append([rawWrite(`warm-${i}`, i)])));
}

function cpuFigures(
  samples: readonly CpuSample[],
  commands: number,
): Pick<HttpFigures, 'serverCpuUsPerCommand' | 'serverCpuCores' | 'serverCpuWaitCores' | 'benchCpuCores'> {
  const [start, end] = samples;
  const none = { serverCpuUsPerCommand: null, serverCpuCores: null, serverCpuWaitCores: null };
  if (!start || !end) return { ...none, benchCpuCores: NaN };
  const wallMs = end.at - start.at;
  const benchCpuCores = round((end.benchUs - start.benchUs) / 1000 / wallMs, 2);
  if (!start.server || !end.server) return { ...none, benchCpuCores };
  const runMs = end.server.runMs - start.server.runMs;
  return {
    serverCpuUsPerCommand: round((runMs * 1000) / Math.max(1, commands)),
    serverCpuCores: round(runMs / wallMs, 2),
    serverCpuWaitCores: round((end.server.waitMs - start.server.waitMs) / wallMs, 2),
    benchCpuCores,
  };
}
