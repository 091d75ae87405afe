import {
  type AppendResult,
  type EventStore,
  SqliteEventStore,
  type StoredEvent,
  type StreamWrite,
  WrongExpectedRevisionError,
} from '@tracelode/event-store';
import { statfsSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { type HeadAnswer, HEAD_TIMEOUT_MS } from './head-reader';
import type { RequestFacts } from './request-facts';

/** What the ledger reports about its followers and files when scraped (read then, never kept up to date). */
export interface LedgerVitals {
  /** Where the log's head is, within the time a scrape allows it (HeadReader). */
  readHead(): Promise<HeadAnswer>;
  /** The last position the views reflect. */
  viewsPosition(): bigint;
  /** The last position the notary added to the Merkle tree. */
  notaryPosition(): number;
  /** Whether each follower follows the log, reads it again after a passing fault, or has stopped for good. */
  followerStates(): Readonly<Record<Follower, FollowerState>>;
  /** When the last checkpoint was signed and its tree size, if one has been. */
  latestCheckpoint(): { timestamp: string; treeSize: number } | undefined;
  /** The SQLite files, by role (absent for a store with no file here, e.g. KurrentDB or memory). */
  readonly files: Readonly<Record<string, string | undefined>>;
}

export type Follower = 'views' | 'notary';
export type FollowerState = 'following' | 'interrupted' | 'stopped';
const FOLLOWER_STATES: readonly FollowerState[] = ['following', 'interrupted', 'stopped'];

const SECONDS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/**
 * The ledger's Prometheus metrics (prom-client), in a registry of their own: requests, commands, group
 * commits, concurrency conflicts, the followers' lag behind the log, checkpoints, files, and Node's default
 * process metrics. README "Operating Tracelode" lists each one.
 */
export class LedgerMetrics {
  readonly registry = new Registry();
  private readonly requestDuration = new Histogram({
    name: 'tracelode_http_request_duration_seconds',
    help: 'HTTP requests by method, route pattern and status, from arrival to the response sent',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: SECONDS,
    registers: [this.registry],
  });
  private readonly commands = new Counter({
    name: 'tracelode_commands_total',
    help: 'Commands answered, by command type and outcome (ok, or the problem code)',
    labelNames: ['type', 'outcome'] as const,
    registers: [this.registry],
  });
  private readonly groupSize = new Histogram({
    name: 'tracelode_group_commit_size',
    help: 'Appends written by each group commit of the SQLite store (one transaction, one fsync)',
    buckets: [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1000],
    registers: [this.registry],
  });
  private readonly commitDuration = new Histogram({
    name: 'tracelode_group_commit_duration_seconds',
    help: 'How long each group commit held the writer, from BEGIN to COMMIT (its fsync included)',
    buckets: SECONDS,
    registers: [this.registry],
  });
  private readonly conflicts = new Counter({
    name: 'tracelode_concurrency_conflicts_total',
    help: 'Appends refused because a stream moved since the command read it, or because a lot taken as new (unread) exists; each is retried (at most 5 attempts, then 409 CONCURRENCY_CONFLICT)',
    registers: [this.registry],
  });

  /** Reads what the gauges report before a scrape collects them (set by `watch`). */
  private beforeScrape: () => Promise<void> = () => Promise.resolve();

  constructor() {
    collectDefaultMetrics({ register: this.registry });
  }

  /**
   * Reports the log's head, the followers' lag and state, checkpoints and files, read from `vitals` at
   * each scrape. The head is read once per scrape, before any gauge is collected (prom-client collects
   * them all at once, so a gauge's collect cannot wait for another's), and within 2 s (HeadReader): when
   * the store does not answer (KurrentDB away, say), the scrape still answers, with `tracelode_store_up`
   * 0 and the head last read, so the followers' lag and state can be watched through an outage.
   */
  watch(vitals: LedgerVitals): void {
    const registers = [this.registry];
    // Never below what the followers have read: they read it from the log.
    const known = () => {
      const followed = BigInt(vitals.notaryPosition());
      const views = vitals.viewsPosition();
      return views > followed ? views : followed;
    };
    let head = 0n;
    let storeUp = false;
    this.beforeScrape = async () => {
      const answer = await vitals.readHead();
      storeUp = 'head' in answer;
      if ('head' in answer) head = answer.head;
      const followed = known();
      if (followed > head) head = followed;
    };
    new Gauge({
      name: 'tracelode_store_up',
      help: `Whether the store said where its log's head is at this scrape, within ${HEAD_TIMEOUT_MS} ms (1) or not (0)`,
      registers,
      collect() {
        this.set(storeUp ? 1 : 0);
      },
    });
    new Gauge({
      name: 'tracelode_log_head_position',
      help: 'Position of the last event in the log (the last read, when the store did not answer this scrape)',
      registers,
      collect() {
        this.set(Number(head));
      },
    });
    new Gauge({
      name: 'tracelode_projector_lag_events',
      help: 'Events in the log the views do not reflect yet',
      registers,
      collect() {
        this.set(Math.max(0, Number(head - vitals.viewsPosition())));
      },
    });
    new Gauge({
      name: 'tracelode_notary_lag_events',
      help: 'Events in the log not yet checked and added to the Merkle tree',
      registers,
      collect() {
        this.set(Math.max(0, Number(head) - vitals.notaryPosition()));
      },
    });
    new Gauge({
      name: 'tracelode_follower_state',
      help: 'Each follower (views, notary) by state: following the log, interrupted (reading it again after a passing fault, by itself) or stopped (for good, until a restart); 1 for its state, 0 for the others',
      labelNames: ['follower', 'state'] as const,
      registers,
      collect() {
        for (const [follower, now] of Object.entries(vitals.followerStates())) {
          for (const state of FOLLOWER_STATES) this.set({ follower, state }, state === now ? 1 : 0);
        }
      },
    });
    const started = Date.now();
    new Gauge({
      name: 'tracelode_seconds_since_checkpoint',
      help: 'Seconds since the last signed checkpoint (since start when none has been signed)',
      registers,
      collect() {
        const latest = vitals.latestCheckpoint();
        this.set((Date.now() - (latest ? Date.parse(latest.timestamp) : started)) / 1000);
      },
    });
    new Gauge({
      name: 'tracelode_events_since_checkpoint',
      help: 'Events notarised since the last signed checkpoint',
      registers,
      collect() {
        this.set(Math.max(0, vitals.notaryPosition() - (vitals.latestCheckpoint()?.treeSize ?? 0)));
      },
    });
    new Gauge({
      name: 'tracelode_file_size_bytes',
      help: 'Size of each SQLite file of the ledger with its write-ahead log, by role (events, views, integrity)',
      labelNames: ['file'] as const,
      registers,
      collect() {
        this.reset();
        for (const [role, path] of Object.entries(vitals.files)) {
          if (path !== undefined) this.set({ file: role }, sizeWithWal(path));
        }
      },
    });
    new Gauge({
      name: 'tracelode_disk_free_bytes',
      help: 'Bytes free to the ledger on the file system of each of its files, by role',
      labelNames: ['file'] as const,
      registers,
      collect() {
        this.reset();
        for (const [role, path] of Object.entries(vitals.files)) {
          const free = path === undefined ? undefined : freeBytes(path);
          if (free !== undefined) this.set({ file: role }, free);
        }
      },
    });
  }

  /** One answered request (the Fastify onResponse hook). */
  requestAnswered(method: string, status: number, seconds: number, facts: RequestFacts): void {
    this.requestDuration.observe({ method, route: facts.route, status: String(status) }, seconds);
    if (facts.commandType !== undefined)
      this.commands.inc({ type: facts.commandType, outcome: facts.outcome });
  }

  /**
   * The SQLite store reports each group commit here, and is asked at each scrape how many stream pages it
   * read from the file (other stores have neither to report).
   */
  observeCommits(store: EventStore): EventStore {
    if (store instanceof SqliteEventStore) {
      store.onCommit = (appends, seconds) => {
        this.groupSize.observe(appends);
        this.commitDuration.observe(seconds);
      };
      new Counter({
        name: 'tracelode_stream_pages_read_total',
        help: 'Pages of a stream read from the event log file; a read beyond a head the store knows reads none, so a command on a known organisation reads none for it',
        registers: [this.registry],
        collect() {
          this.reset();
          this.inc(store.stats.streamQueries);
        },
      });
    }
    return store;
  }

  /** The store as the command executor uses it, counting the appends refused for an expected revision. */
  countConflicts(store: EventStore): EventStore {
    return new ConflictCountingStore(store, () => this.conflicts.inc());
  }

  async text(): Promise<string> {
    await this.beforeScrape();
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }
}

/** Passes everything through; counts the appends the store refuses for an expected revision. */
class ConflictCountingStore implements EventStore {
  constructor(
    private readonly inner: EventStore,
    private readonly conflict: () => void,
  ) {}

  async append(writes: readonly StreamWrite[]): Promise<AppendResult> {
    try {
      return await this.inner.append(writes);
    } catch (error) {
      if (error instanceof WrongExpectedRevisionError) this.conflict();
      throw error;
    }
  }
  readStream(stream: string, from?: bigint): AsyncIterable<StoredEvent> {
    return this.inner.readStream(stream, from);
  }
  readAll(from?: bigint): AsyncIterable<StoredEvent> {
    return this.inner.readAll(from);
  }
  subscribeAll(from?: bigint): AsyncIterable<StoredEvent> {
    return this.inner.subscribeAll(from);
  }
  headPosition(): Promise<bigint> {
    return this.inner.headPosition();
  }
  close(): Promise<void> {
    return this.inner.close();
  }
}

function sizeWithWal(path: string): number {
  let bytes = 0;
  for (const file of [path, `${path}-wal`]) {
    try {
      bytes += statSync(file).size;
    } catch {
      // no such file (yet): nothing to count
    }
  }
  return bytes;
}

function freeBytes(path: string): number | undefined {
  try {
    const stats = statfsSync(dirname(path));
    return stats.bavail * stats.bsize;
  } catch {
    return undefined;
  }
}
