import { type AppendResult, SqliteEventStore, type StreamWrite } from '@tracelode/event-store';
import { randomUUID } from 'node:crypto';
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { availableParallelism, cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { EventEmitter } from 'node:events';
import { LedgerProcess } from '../support/ledger-process';
import { type CpuProfileSummary, summariseCpuProfile } from './bench-profile';
import { benchDemoBundle, benchLogVerification, benchSealing } from './bench-integrity';
import { benchBoundedReads } from './bench-bounded-reads';
import { benchEpcis } from './bench-epcis';
import { benchExplorer } from './bench-explorer';
import { benchProvenance } from './bench-provenance';
import { benchRebuild } from './bench-rebuild';
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
  readonly ceilingDurationSec: number;
  readonly profileSec: number;
}

const DEFAULTS: BenchOptions = {
  connections: 32,
  warmupSec: 5,
  durationSec: 20,
  rawConcurrency: 64,
  rawDurationSec: 10,
  rawSequentialSec: 3,
  ceilingDurationSec: 10,
  profileSec: 8,
};

const FLAGS: Record<string, keyof BenchOptions> = {
  '--connections': 'connections',
  '--warmup': 'warmupSec',
  '--duration': 'durationSec',
  '--raw-concurrency': 'rawConcurrency',
  '--raw-duration': 'rawDurationSec',
  '--raw-sequential': 'rawSequentialSec',
  '--ceiling-duration': 'ceilingDurationSec',
  '--profile-duration': 'profileSec',
};

/** The bench's cases; `--only http,verify` runs a subset (a partial run exits 0 only if what ran was sound). */
const CASES = [
  'http',
  'raw',
  'provenance',
  'sealing',
  'verify',
  'rebuild',
  'bundle',
  'bounded',
  'epcis',
  'explorer',
] as const;
type Case = (typeof CASES)[number];

/** Ledger sizes for the provenance case: the large one (1M events) takes minutes to build, so it is opt-in. */
const PROVENANCE_SIZES = { default: [10_000, 100_000], large: [10_000, 1_000_000] };

/** Events the EPCIS case captures (documents of 100, rollback) before it measures its queries. */
const EPCIS_LEDGER_EVENTS = Number(process.env.TRACELODE_BENCH_EPCIS_EVENTS ?? 100_000);

/** Events in the log whose verification rate is measured: enough that start-up cost does not count. */
const VERIFIED_LOG_EVENTS = 1_000_000;

/**
 * Events in the log the views are rebuilt from: writing a million events takes minutes on a shared
 * machine, and the rebuild runs twice (now and as before), so the million is opt-in (`--large`).
 */
const REBUILT_LOG_EVENTS = { default: 200_000, large: 1_000_000 };

export async function bench(args: string[]): Promise<number> {
  const large = args.includes('--large');
  const onlyAt = args.indexOf('--only');
  const only = onlyAt >= 0 ? parseCases(args[onlyAt + 1]) : new Set<Case>(CASES);
  const options = parseOptions(
    args.filter((arg, i) => arg !== '--large' && (onlyAt < 0 || (i !== onlyAt && i !== onlyAt + 1))),
  );
  const dir = mkdtempSync(join(tmpdir(), 'tracelode-bench-'));
  const servers = new Set<BenchServer>();
  const serverIn = (sub: string, script?: string, nodeArgs?: string[]) => {
    mkdirSync(join(dir, sub), { recursive: true });
    const server = new BenchServer(join(dir, sub), script, nodeArgs);
    servers.add(server);
    return server;
  };
  // Ctrl-C or a kill skips the finally below: clean up here too.
  const interrupted = (signal: NodeJS.Signals) => {
    for (const server of servers) server.kill();
    rmSync(dir, { recursive: true, force: true });
    process.exit(signal === 'SIGINT' ? 130 : 143);
  };
  process.once('SIGINT', interrupted);
  process.once('SIGTERM', interrupted);
  try {
    progress(`temp dir ${dir}`);
    let sound = true;
    const result: Record<string, unknown> = {};
    if (only.has('http')) {
      /** A bare server beside the ledger, under the same load for the ceiling's seconds. */
      const bare = async (sub: string, script: string, what: string) => {
        const bareServer = serverIn(sub, script);
        const bareUrl = await bareServer.start();
        progress(`${what} on ${bareUrl}`);
        const figures = await driveHttp(
          bareUrl,
          { ...options, warmupSec: Math.min(options.warmupSec, 2), durationSec: options.ceilingDurationSec },
          bareServer,
          undefined,
        );
        const rssMb = bareServer.peakRssMb();
        await bareServer.stop();
        return { ...figures, rssMb };
      };
      // The ceiling first: a bare Fastify POST handler under the same load, in this same run.
      const ceiling = await bare('ceiling', CEILING_SERVER, 'bare Fastify ceiling');
      // The durable floor: the same handler sealing and committing each command's event with fsync through
      // the ledger's own store, and nothing else. What durability alone costs on this machine.
      const floor = await bare('floor', FLOOR_SERVER, 'durable floor');
      const floorMinedInLog = await countMinedEvents(join(dir, 'floor', 'ledger.db'));

      const server = serverIn('ledger');
      const url = await server.start();
      progress(`server on ${url}`);
      const apiKey = await registerProducer(url);
      const http = await withMetricsDeltas(
        url,
        ADMIN_TOKEN,
        () => driveHttp(url, options, server, apiKey),
        progress,
      );
      const lag = await lagAtEnd(url);
      const serverRssMb = server.peakRssMb();
      await server.stop();
      const minedInLog = await countMinedEvents(join(dir, 'ledger', 'ledger.db'));
      progress(`BatchMined events in the log: ${minedInLog}; 201s received: ${http.total201}`);

      let profile: CpuProfileSummary | null = null;
      if (options.profileSec > 0) profile = await profileCommandPath(dir, options, serverIn);
      Object.assign(result, {
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
        viewsLagAtEnd: lag.viewsLag,
        notaryLagAtEnd: lag.notaryLag,
        caughtUpMsAfterLoad: lag.caughtUpMs,
        serverCpuUsPerCommand: http.serverCpuUsPerCommand,
        serverCpuCores: http.serverCpuCores,
        serverCpuWaitCores: http.serverCpuWaitCores,
        serverPeakRssMb: serverRssMb,
        benchCpuCores: http.benchCpuCores,
        ceiling: {
          what: 'bare Fastify POST handler, same load',
          requestsPerSec: round(ceiling.commandsPerSec),
          p99Ms: round(ceiling.p99Ms, 2),
          serverCpuUsPerRequest: ceiling.serverCpuUsPerCommand,
          serverCpuCores: ceiling.serverCpuCores,
          serverPeakRssMb: ceiling.rssMb,
        },
        floor: {
          what: 'bare Fastify POST handler sealing each event and committing it with fsync (the ledger store), same load',
          requestsPerSec: round(floor.commandsPerSec),
          p99Ms: round(floor.p99Ms, 2),
          serverCpuUsPerRequest: floor.serverCpuUsPerCommand,
          serverCpuCores: floor.serverCpuCores,
          serverPeakRssMb: floor.rssMb,
          non2xx: floor.non2xx,
          eventsMatch201s: floorMinedInLog === floor.total201,
        },
        ratioLedgerToCeiling: round(http.commandsPerSec / Math.max(1, ceiling.commandsPerSec), 3),
        ratioFloorToCeiling: round(floor.commandsPerSec / Math.max(1, ceiling.commandsPerSec), 3),
        ratioLedgerToFloor: round(http.commandsPerSec / Math.max(1, floor.commandsPerSec), 3),
        profile,
        eventsMatch201s: minedInLog === http.total201,
      });
      sound &&=
        http.non2xx === 0 &&
        http.errors === 0 &&
        minedInLog === http.total201 &&
        floor.non2xx === 0 &&
        floorMinedInLog === floor.total201;
    }
    if (only.has('raw')) {
      const raw = await rawConcurrentAppends(join(dir, 'raw.db'), options);
      const sequential = await rawSequentialAppends(join(dir, 'raw-sequential.db'), options);
      Object.assign(result, {
        rawAppendsPerSec: round(raw.appendsPerSec),
        rawConcurrency: options.rawConcurrency,
        rawEventsPerCommit: round(raw.eventsPerCommit, 1),
        rawSequentialAppendsPerSec: round(sequential.appendsPerSec),
        rawPeakRssMb: benchPeakRssMb(),
      });
      if (typeof result.commandsPerSec === 'number')
        result.ratioHttpToRaw = round(result.commandsPerSec / raw.appendsPerSec, 3);
    }
    if (only.has('provenance')) {
      result.provenance = await benchProvenance(
        large ? PROVENANCE_SIZES.large : PROVENANCE_SIZES.default,
        progress,
      );
    }
    if (only.has('sealing'))
      result.sealing = { ...(await benchSealing(progress)), peakRssMb: benchPeakRssMb() };
    if (only.has('verify')) {
      const logVerification = await benchLogVerification(VERIFIED_LOG_EVENTS, progress);
      result.logVerification = { ...logVerification, peakRssMb: benchPeakRssMb() };
      sound &&= logVerification.verified;
    }
    if (only.has('rebuild')) {
      const rebuilt = await benchRebuild(
        large ? REBUILT_LOG_EVENTS.large : REBUILT_LOG_EVENTS.default,
        progress,
      );
      result.rebuild = rebuilt;
      sound &&= rebuilt.complete;
    }
    if (only.has('bundle')) {
      const demoBundle = await benchDemoBundle(progress);
      result.demoBundle = demoBundle;
      sound &&= demoBundle.verified;
    }
    if (only.has('bounded')) result.boundedReads = await benchBoundedReads(progress);
    if (only.has('epcis')) {
      const epcis = await benchEpcis(EPCIS_LEDGER_EVENTS, progress);
      result.epcis = { ...epcis, benchPeakRssMb: benchPeakRssMb() };
      sound &&= epcis.capture.failedDocuments === 0;
    }
    if (only.has('explorer')) result.explorer = await benchExplorer(progress);
    Object.assign(result, {
      cases: [...only],
      benchPeakRssMb: benchPeakRssMb(),
      node: process.version,
      cpus: availableParallelism(),
      cpuModel: cpus()[0]?.model ?? 'unknown',
    });
    process.stdout.write(`${JSON.stringify(result)}\n`);
    return sound ? 0 : 1;
  } finally {
    process.off('SIGINT', interrupted);
    process.off('SIGTERM', interrupted);
    for (const server of servers) await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

function parseCases(list: string | undefined): Set<Case> {
  const names = (list ?? '').split(',').filter(Boolean);
  const unknown = names.filter((name) => !(CASES as readonly string[]).includes(name));
  if (names.length === 0 || unknown.length > 0)
    throw new Error(`bench: --only takes a comma-separated list of ${CASES.join(', ')}`);
  return new Set(names as Case[]);
}

/** The bare Fastify server the ceiling case runs (built beside this file). */
const CEILING_SERVER = join(__dirname, 'bench-ceiling-server.js');
/** The durable floor's server: the ceiling's handler, sealing and committing through the ledger's store. */
const FLOOR_SERVER = join(__dirname, 'bench-floor-server.js');

/** This (the bench's) process's peak resident set so far, in MB: beside the figures measured in-process. */
const benchPeakRssMb = () => round(process.resourceUsage().maxRSS / 1024, 1);

/**
 * How far the views and the notary are behind the log's head right after the load, and how long after
 * the load they take to reach it (polling /health; null if not within 30 s).
 */
async function lagAtEnd(
  url: string,
): Promise<{ viewsLag: number; notaryLag: number; caughtUpMs: number | null }> {
  const health = async () => {
    const { body } = await request<{ logPosition: string; viewsPosition: string; treeSize: number }>(
      url,
      'GET',
      '/health',
    );
    const head = Number(body.logPosition);
    return { viewsLag: head - Number(body.viewsPosition), notaryLag: head - body.treeSize };
  };
  const started = performance.now();
  const first = await health();
  let now = first;
  while (now.viewsLag > 0 || now.notaryLag > 0) {
    if (performance.now() - started > 30_000) return { ...first, caughtUpMs: null };
    await new Promise((resolve) => setTimeout(resolve, 20));
    now = await health();
  }
  progress(
    `lag at the end of the load: views ${first.viewsLag}, notary ${first.notaryLag} events; caught up in ${round(performance.now() - started)} ms`,
  );
  return { ...first, caughtUpMs: round(performance.now() - started) };
}

/**
 * A second, shorter load on a fresh server started with `--cpu-prof` (profiling slows it, so it is not
 * the measured run): the top five self-time functions of the command path while it served the load.
 */
async function profileCommandPath(
  dir: string,
  options: BenchOptions,
  serverIn: (sub: string, script?: string, nodeArgs?: string[]) => BenchServer,
): Promise<CpuProfileSummary | null> {
  const profileDir = join(dir, 'profile', 'cpu');
  mkdirSync(profileDir, { recursive: true });
  const server = serverIn('profile', undefined, ['--cpu-prof', `--cpu-prof-dir=${profileDir}`]);
  const url = await server.start();
  progress(`profiling the command path: ${options.profileSec} s of load on ${url} with --cpu-prof`);
  const apiKey = await registerProducer(url);
  const loadStarted = performance.now();
  await driveHttp(url, { ...options, warmupSec: 1, durationSec: options.profileSec }, server, apiKey);
  await server.stop();
  // Samples from the start of the load to the exit: not the server's start-up (module loading, Nest).
  const lastMs = performance.now() - loadStarted;
  const files = readdirSync(profileDir).filter((name) => name.endsWith('.cpuprofile'));
  // The temp dir is removed at the end: TRACELODE_BENCH_PROFILE_DIR keeps the raw profiles for a closer look.
  const keep = process.env.TRACELODE_BENCH_PROFILE_DIR;
  if (keep) {
    mkdirSync(keep, { recursive: true });
    for (const name of files) copyFileSync(join(profileDir, name), join(keep, name));
    progress(`profiles kept in ${keep}`);
  }
  // node names each thread's file CPU.<date>.<time>.<pid>.<thread id>.<n>.cpuprofile; the main thread is 0.
  const summaries = files.map((name) =>
    summariseCpuProfile(readFileSync(join(profileDir, name), 'utf8'), name, lastMs),
  );
  const main = summaries.find(({ file }) => file.split('.')[4] === '0') ?? summaries[0];
  if (!main) return null;
  progress(
    `profile: ${main.top.map((entry) => `${entry.function} ${entry.sharePct}%`).join(', ')} (idle ${main.idlePct}%)`,
  );
  return {
    ...main,
    threads: summaries.map(({ file, sampledMs, idlePct }) => ({ file, sampledMs, idlePct })),
  };
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

  constructor(
    private readonly dir: string,
    private readonly script?: string,
    private readonly extraNodeArgs: readonly string[] = [],
  ) {}

  async start(): Promise<string> {
    // e.g. TRACELODE_BENCH_SERVER_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof" to profile the server.
    const nodeArgs = [
      ...(process.env.TRACELODE_BENCH_SERVER_NODE_ARGS ?? '').split(/\s+/).filter(Boolean),
      ...this.extraNodeArgs,
    ];
    this.process = await LedgerProcess.start(
      {
        TRACELODE_STORE: `sqlite:${join(this.dir, 'ledger.db')}`,
        TRACELODE_VIEWS: join(this.dir, 'views.db'),
        TRACELODE_ADMIN_TOKEN: ADMIN_TOKEN,
        // main.ts prints "Tracelode ledger on <url>" whatever the level.
        TRACELODE_LOG_LEVEL: 'warn',
      },
      nodeArgs,
      this.script,
    );
    return this.process.url;
  }

  /** The server's peak resident set (VmHWM) so far, in MB, from /proc; null where that is not available. */
  peakRssMb(): number | null {
    const pid = this.process?.pid;
    if (pid === undefined) return null;
    try {
      const kb = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
      return kb === undefined ? null : round(Number(kb) / 1024, 1);
    } catch {
      return null;
    }
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

/** Registers the bench's producer organisation and its mine; returns its API key. */
async function registerProducer(url: string): Promise<string> {
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
  return apiKey;
}

/**
 * Posts mined batches (a new batchId each) from `connections` connections: a warm-up, then the measured
 * window. When the window closes, connections switch to GET /health, so every command already sent gets
 * its answer (autocannon drops in-flight requests when it stops, and an unanswered command that committed
 * would spoil the 201s-versus-log check); latency and throughput are taken from the 201s that arrive
 * inside the window. `apiKey` undefined: the ceiling server, which needs none.
 */
async function driveHttp(
  url: string,
  options: BenchOptions,
  server: BenchServer,
  apiKey: string | undefined,
): Promise<HttpFigures> {
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
    headers: {
      ...(apiKey ? { authorization: `Bearer ${apiKey}` } : {}),
      'content-type': 'application/json',
    },
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
