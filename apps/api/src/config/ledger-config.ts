import { DEFAULT_MAX_RECORDING_DELAY_MS } from '@tracelode/domain';
import { sqliteFileOf } from '@tracelode/event-store';
import { DEFAULT_MAX_GRAPH_NODES } from '@tracelode/projections';
import { dirname, join } from 'node:path';
import { parseDurationMs } from './duration';

/** The ledger's configuration, read once from the environment (documented in .env.example). */
export interface LedgerConfig {
  readonly port: number;
  readonly host: string;
  /** `sqlite:<path>` (default `sqlite:./data/ledger.db`) or `memory:`. */
  readonly storeUrl: string;
  /** Path of the read-model SQLite file. */
  readonly viewsPath: string;
  /** A fixed admin token; when unset, one is generated on first start and printed once. */
  readonly adminToken?: string;
  /** SQLite file of the Merkle log and its signed checkpoints (':memory:' with a memory: store). */
  readonly integrityPath: string;
  /** The ledger's Ed25519 signing key (PKCS#8 PEM); generated there on first start when absent. */
  readonly signingKeyPath: string | undefined;
  /** Sign a checkpoint every this many events… */
  readonly checkpointEveryEvents: number;
  /** …or this often when events have arrived since the last one. */
  readonly checkpointEveryMs: number;
  /**
   * Where the projector and the notary run with file stores (TRACELODE_FOLLOWERS, ADR 0029): `worker`
   * (default), a worker thread off the request thread; `thread`, the request thread, as before.
   */
  readonly followers: 'worker' | 'thread';
  /**
   * Where the embedded store's group commits run (TRACELODE_WRITER, ADR 0037): `thread` (default), the
   * request thread; `worker`, a worker thread with its own connection, so a COMMIT's fsync never blocks
   * requests (not faster on the bench's 2-core machine, where it costs more CPU a command).
   */
  readonly writer: 'worker' | 'thread';
  /**
   * How long the projector in the followers' worker gathers a batch of events into one views transaction
   * (TRACELODE_VIEWS_GATHER_MS, ADR 0029; 20 by default, 0: each turn's events at once). A read waiting
   * for its own write cuts the gather short.
   */
  readonly viewsGatherMs: number;
  /** How long a query given `minPosition` waits for the views. */
  readonly minPositionWaitMs: number;
  readonly logLevel: 'error' | 'warn' | 'log' | 'debug';
  /** Human-readable log lines (pino-pretty) instead of JSON, only when asked (TRACELODE_LOG_PRETTY=1). */
  readonly logPretty: boolean;
  /** A loopback-only port serving GET /metrics without auth (TRACELODE_METRICS_PORT); none when unset. */
  readonly metricsPort: number | undefined;
  /** /health/ready fails when the views or the notary are more than this many events behind the head. */
  readonly readyLag: number;
  /** How long after it occurred an event may still be recorded (TRACELODE_MAX_RECORDING_DELAY, ADR 0017). */
  readonly maxRecordingDelayMs: number;
  /** Bounded reads: how much a view as of a moment or an audit bundle may gather, and how many run at once. */
  readonly reads: ReadLimits;
  /**
   * The base URL buyers reach the ledger at (TRACELODE_PUBLIC_URL): its did:web is the issuer of every
   * credential (ADR 0032), and passports link to it. No trailing slash.
   */
  readonly publicUrl: string;
  /** How long a client may take to send a request, and how many connections one address may hold. */
  readonly connections: ConnectionLimits;
  /** After SIGTERM/SIGINT, the process exits non-zero if shutting down takes longer (TRACELODE_SHUTDOWN_TIMEOUT). */
  readonly shutdownTimeoutMs: number;
}

export interface ReadLimits {
  /** Most events a view as of a moment or an audit bundle gathers (422 CHAIN_TOO_LARGE / 413 BUNDLE_TOO_LARGE beyond). */
  readonly maxEvidenceEvents: number;
  /** Most events the streamed form of an audit bundle (NDJSON) gathers (413 BUNDLE_TOO_LARGE beyond). */
  readonly maxStreamedEvidenceEvents: number;
  /** Most batches one provenance graph read returns (TRACELODE_MAX_GRAPH_NODES); beyond, 422 GRAPH_TOO_LARGE. */
  readonly maxGraphNodes: number;
  /** Expensive reads (as of a moment, bundles) running at once, each in a read worker of its own… */
  readonly concurrent: number;
  /** …and waiting for a turn; beyond that, 503 READS_BUSY with retryAfterSeconds. */
  readonly queued: number;
}

export interface ConnectionLimits {
  /** Whole request (headers and body) received within this, or the connection is closed. */
  readonly requestTimeoutMs: number;
  /** A connection idle this long is closed. */
  readonly connectionTimeoutMs: number;
  /** Open connections per client address; more are answered 429 and closed. */
  readonly maxPerClient: number;
}

function place(
  name: string,
  text: string | undefined,
  byDefault: 'worker' | 'thread' = 'worker',
): 'worker' | 'thread' {
  if (text === undefined || text === '') return byDefault;
  if (text === 'worker' || text === 'thread') return text;
  throw new ConfigError(`${name} must be worker or thread, got "${text}"`);
}

function positiveInteger(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const text = env[name];
  if (text === undefined || text === '') return fallback;
  const value = Number(text);
  if (!Number.isInteger(value) || value < 1)
    throw new ConfigError(`${name} must be a positive integer, got "${text}"`);
  return value;
}

function nonNegativeInteger(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const text = env[name];
  if (text === undefined || text === '') return fallback;
  const value = Number(text);
  if (!Number.isInteger(value) || value < 0)
    throw new ConfigError(`${name} must be a whole number of events (0 or more), got "${text}"`);
  return value;
}

/** TRACELODE_VIEWS_GATHER_MS: 0 to 60,000 milliseconds (a batch also ends at 500 events). */
function gatherMs(env: NodeJS.ProcessEnv): number {
  const text = env.TRACELODE_VIEWS_GATHER_MS;
  if (text === undefined || text === '') return 20;
  const value = Number(text);
  if (!Number.isInteger(value) || value < 0 || value > 60_000)
    throw new ConfigError(
      `TRACELODE_VIEWS_GATHER_MS must be a whole number of milliseconds from 0 to 60000, got "${text}"`,
    );
  return value;
}

function optionalPort(env: NodeJS.ProcessEnv, name: string): number | undefined {
  const text = env[name];
  if (text === undefined || text === '') return undefined;
  const port = Number(text);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new ConfigError(`${name} must be a port number (0-65535), got "${text}"`);
  return port;
}

/** `1`/`true`/`yes` on, `0`/`false`/`no`/unset off; anything else is a mistake worth naming. */
function flag(env: NodeJS.ProcessEnv, name: string): boolean {
  const text = (env[name] ?? '').trim().toLowerCase();
  if (['', '0', 'false', 'no'].includes(text)) return false;
  if (['1', 'true', 'yes'].includes(text)) return true;
  throw new ConfigError(`${name} must be 1 or 0, got "${env[name]}"`);
}

/** TRACELODE_MAX_RECORDING_DELAY: `30d`, `72h`, `90m`, `45s` or a number of seconds; 30 days by default. */
function recordingDelayMs(env: NodeJS.ProcessEnv): number {
  const text = env.TRACELODE_MAX_RECORDING_DELAY;
  if (text === undefined || text === '') return DEFAULT_MAX_RECORDING_DELAY_MS;
  const ms = parseDurationMs(text);
  if (ms === undefined) {
    throw new ConfigError(
      `TRACELODE_MAX_RECORDING_DELAY must be a positive duration such as 30d, 72h or 2592000 (seconds), got "${text}"`,
    );
  }
  return ms;
}

/** TRACELODE_PUBLIC_URL: an http(s) URL without query or fragment; by default the address the ledger listens on. */
function publicUrlOf(env: NodeJS.ProcessEnv, host: string, port: number): string {
  const text = env.TRACELODE_PUBLIC_URL;
  if (text === undefined || text === '') {
    const local = host === '0.0.0.0' || host === '::' ? 'localhost' : host.includes(':') ? `[${host}]` : host;
    return `http://${local}:${port}`;
  }
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new ConfigError(`TRACELODE_PUBLIC_URL must be an absolute http(s) URL, got "${text}"`);
  }
  if (!['http:', 'https:'].includes(url.protocol) || url.search || url.hash || url.username || url.password)
    throw new ConfigError(
      `TRACELODE_PUBLIC_URL must be an http(s) URL without credentials, query or fragment, got "${text}"`,
    );
  return `${url.origin}${url.pathname.replace(/\/+$/, '')}`;
}

/** TRACELODE_SHUTDOWN_TIMEOUT: a duration as TRACELODE_MAX_RECORDING_DELAY takes it; 10 s by default. */
function shutdownTimeoutMs(env: NodeJS.ProcessEnv): number {
  const text = env.TRACELODE_SHUTDOWN_TIMEOUT;
  if (text === undefined || text === '') return 10_000;
  const ms = parseDurationMs(text);
  if (ms === undefined) {
    throw new ConfigError(
      `TRACELODE_SHUTDOWN_TIMEOUT must be a positive duration such as 10s or 1m, got "${text}"`,
    );
  }
  return ms;
}

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

const LOG_LEVELS = ['error', 'warn', 'log', 'debug'] as const;

/** The ledger's SQLite files on this machine's disk: another thread or process can open these. */
export interface FilesOnDisk {
  /** The event log; undefined on KurrentDB or `memory:`. */
  readonly store?: string;
  readonly views?: string;
  /** The notary's Merkle log and signed checkpoints. */
  readonly integrity?: string;
}

/**
 * Which of the ledger's files are on disk, each undefined where it is in memory (`:memory:`) or not a
 * SQLite file at all: what the followers' and the read workers open, and what the metrics measure.
 */
export function filesOnDisk(
  config: Pick<LedgerConfig, 'storeUrl' | 'viewsPath' | 'integrityPath'>,
): FilesOnDisk {
  const onDisk = (path: string | undefined) => (path === undefined || path === ':memory:' ? undefined : path);
  return {
    store: onDisk(sqliteFileOf(config.storeUrl)),
    views: onDisk(config.viewsPath),
    integrity: onDisk(config.integrityPath),
  };
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): LedgerConfig {
  const portText = env.TRACELODE_PORT ?? env.PORT ?? '3000';
  const port = Number(portText);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new ConfigError(`TRACELODE_PORT must be a port number (0-65535), got "${portText}"`);
  }
  const logLevel = env.TRACELODE_LOG_LEVEL ?? 'log';
  if (!(LOG_LEVELS as readonly string[]).includes(logLevel)) {
    throw new ConfigError(`TRACELODE_LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}, got "${logLevel}"`);
  }
  const adminToken = env.TRACELODE_ADMIN_TOKEN || undefined;
  if (adminToken !== undefined && adminToken.length < 16) {
    throw new ConfigError('TRACELODE_ADMIN_TOKEN must be at least 16 characters long');
  }
  // A file variable set but empty is unset, as every other variable here: an empty SQLite path would open a
  // private temporary database for each connection (views the followers write and nobody else reads).
  const storeUrl = env.TRACELODE_STORE || 'sqlite:./data/ledger.db';
  const inMemory = storeUrl.startsWith('memory:');
  // A store in memory starts empty each time: views in a file would outlive it (refused at the next start).
  const viewsPath = env.TRACELODE_VIEWS || (inMemory ? ':memory:' : './data/views.db');
  const dataDir = dirname(viewsPath === ':memory:' ? './data/views.db' : viewsPath);
  const host = env.TRACELODE_HOST ?? '127.0.0.1';
  return {
    port,
    host,
    publicUrl: publicUrlOf(env, host, port),
    storeUrl,
    viewsPath,
    integrityPath: env.TRACELODE_INTEGRITY || (inMemory ? ':memory:' : join(dataDir, 'integrity.db')),
    signingKeyPath:
      env.TRACELODE_SIGNING_KEY || (inMemory ? undefined : join(dataDir, 'ledger-signing-key.pem')),
    checkpointEveryEvents: positiveInteger(env, 'TRACELODE_CHECKPOINT_EVERY', 1000),
    checkpointEveryMs: positiveInteger(env, 'TRACELODE_CHECKPOINT_SECONDS', 10) * 1000,
    adminToken,
    followers: place('TRACELODE_FOLLOWERS', env.TRACELODE_FOLLOWERS),
    writer: place('TRACELODE_WRITER', env.TRACELODE_WRITER, 'thread'),
    viewsGatherMs: gatherMs(env),
    minPositionWaitMs: 5000,
    logLevel: logLevel as LedgerConfig['logLevel'],
    logPretty: flag(env, 'TRACELODE_LOG_PRETTY'),
    metricsPort: optionalPort(env, 'TRACELODE_METRICS_PORT'),
    readyLag: nonNegativeInteger(env, 'TRACELODE_READY_LAG', 1000),
    maxRecordingDelayMs: recordingDelayMs(env),
    reads: {
      maxEvidenceEvents: positiveInteger(env, 'TRACELODE_MAX_EVIDENCE_EVENTS', 20_000),
      maxStreamedEvidenceEvents: positiveInteger(env, 'TRACELODE_MAX_STREAMED_EVIDENCE_EVENTS', 100_000),
      maxGraphNodes: positiveInteger(env, 'TRACELODE_MAX_GRAPH_NODES', DEFAULT_MAX_GRAPH_NODES),
      concurrent: positiveInteger(env, 'TRACELODE_EXPENSIVE_READS', 2),
      queued: positiveInteger(env, 'TRACELODE_EXPENSIVE_READS_QUEUED', 8),
    },
    connections: {
      requestTimeoutMs: positiveInteger(env, 'TRACELODE_REQUEST_TIMEOUT_MS', 30_000),
      connectionTimeoutMs: positiveInteger(env, 'TRACELODE_CONNECTION_TIMEOUT_MS', 10_000),
      maxPerClient: positiveInteger(env, 'TRACELODE_MAX_CONNECTIONS_PER_CLIENT', 64),
    },
    shutdownTimeoutMs: shutdownTimeoutMs(env),
  };
}
