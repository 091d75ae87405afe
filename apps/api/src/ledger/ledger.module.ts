import {
  type DynamicModule,
  Global,
  Inject,
  Logger,
  Module,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { type EventStore, openEventStore, SealingEventStore, SqliteEventStore } from '@tracelode/event-store';
import { CheckpointSigner, LogNotary } from '@tracelode/log';
import { LEDGER_PROJECTIONS, Projector } from '@tracelode/projections';
import { ReadModelStore } from '@tracelode/read-models';
import { ApiKeyGuard } from '../auth/api-key.guard';
import { AuthService } from '../auth/auth.service';
import { SignatureGuard } from '../auth/signature.guard';
import { ConfigError, filesOnDisk, type LedgerConfig } from '../config/ledger-config';
import { LedgerMetrics } from '../observability/ledger-metrics';
import { ViewSource } from './view-source';
import { CommandExecutor } from './command-executor';
import { CaptureJobs } from './capture-jobs';
import { withTimeout } from '../common/with-timeout';
import { FollowersWorker, loggingInterruptions, NotaryInWorker, ProjectorInWorker } from './followers';
import { join } from 'node:path';
import { LedgerStreams } from './ledger-streams';
import { EVENT_STORE, FOLLOWERS, LEDGER_CONFIG, REACH } from './ledger.tokens';
import { ViewsReady } from './views-ready';

/** How long a shutdown lets the projector and the notary catch up with the log's head before stopping them. */
const CATCH_UP_ON_SHUTDOWN_MS = 3_000;

/**
 * Starts the projector and the notary once the app is up. On shutdown — after HttpDrain has answered every
 * request, so no command is running — lets them reach the log's head (within CATCH_UP_ON_SHUTDOWN_MS), has
 * the notary sign a checkpoint covering it, stops both (each between two of its transactions: a clean
 * checkpoint), then closes the store (flushing any queued append) and the views, in that order. The
 * followers stop and the files close even when the catching up cannot be done.
 */
class LedgerLifecycle implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('Shutdown');

  constructor(
    private readonly projector: Projector,
    private readonly notary: LogNotary,
    private readonly views: ReadModelStore,
    @Inject(EVENT_STORE) private readonly store: EventStore,
  ) {}

  onApplicationBootstrap(): void {
    this.projector.start();
    this.notary.start();
  }

  async onApplicationShutdown(): Promise<void> {
    try {
      await this.catchUp();
    } catch (error) {
      // The store went away, or the checkpoint could not be written: stopped all the same, behind.
      this.logger.warn(
        `The views and the Merkle tree were not brought to the log's head (they catch up on the next start): ${(error as Error).message}`,
      );
    } finally {
      await this.projector.stop();
      await this.notary.stop();
      await this.store.close();
      this.views.close();
    }
  }

  /**
   * Lets the followers reach the log's head and has the notary sign a checkpoint covering it, within
   * CATCH_UP_ON_SHUTDOWN_MS in all; not at all while either is interrupted (its store or file is away).
   */
  private async catchUp(): Promise<void> {
    const interrupted = this.projector.interruption ?? this.notary.interruption;
    if (interrupted) throw interrupted;
    const deadline = Date.now() + CATCH_UP_ON_SHUTDOWN_MS;
    const head = await withTimeout(this.store.headPosition(), CATCH_UP_ON_SHUTDOWN_MS, "the store's head");
    const left = Math.max(0, deadline - Date.now());
    const [views, tree] = await Promise.all([
      this.projector.waitFor(head, left),
      this.notary.waitFor(head, left),
    ]);
    const checkpoint = tree ? await this.notary.signedCheckpointCovering(Number(head)) : undefined;
    this.logger.log(
      `Log head ${head}: views at ${this.projector.position}, Merkle tree at ${this.notary.size}` +
        (checkpoint ? `, checkpoint signed at ${checkpoint.treeSize}` : '') +
        (views && tree ? '' : ' (behind: they catch up on the next start)'),
    );
  }
}

/**
 * The views file, refused when it reflects more of a log than this log holds: it was built from another
 * log (a KurrentDB database replaced, a ledger file swapped), and would answer for lots this log never
 * had while never projecting this log's first events.
 */
async function openViewsOf(store: EventStore, path: string): Promise<ReadModelStore> {
  const views = ReadModelStore.open(path);
  const [reflected, head] = [views.checkpoint(), await store.headPosition()];
  if (reflected <= head) return views;
  views.close();
  throw new ConfigError(
    `The views file ${path} reflects a log up to position ${reflected}, but this log's head is ${head}: ` +
      'it was built from another log. Move it away (the views are rebuilt from the log at start) or run ' +
      '`npm run rebuild` against this log.',
  );
}

/** The store as opened, before sealing; the followers' worker is told of its commits. */
const OPENED_STORE = Symbol('OPENED_STORE');
const CHECKPOINT_SIGNER = Symbol('CHECKPOINT_SIGNER');

/** The compiled followers' worker, beside this file (dist in the built server). */
const FOLLOWERS_SCRIPT = join(__dirname, 'followers-worker.js');

/**
 * The projector and the notary run in a worker thread when the store, the views and the notary's file
 * are all files of this machine (ADR 0029); with KurrentDB or anything in memory they stay on the request
 * thread, as the expensive reads do (ADR 0020).
 */
async function followersWorker(
  config: LedgerConfig,
  opened: EventStore,
  views: ReadModelStore,
  signer: CheckpointSigner,
): Promise<{ worker?: FollowersWorker }> {
  const files = filesOnDisk(config);
  if (
    config.followers === 'thread' ||
    !(opened instanceof SqliteEventStore) ||
    files.store === undefined ||
    files.views === undefined ||
    files.integrity === undefined
  )
    return {};
  const worker = new FollowersWorker(
    FOLLOWERS_SCRIPT,
    {
      storeFile: files.store,
      viewsPath: files.views,
      integrityPath: files.integrity,
      checkpoint: { everyEvents: config.checkpointEveryEvents, everyMs: config.checkpointEveryMs },
      viewsGatherMs: config.viewsGatherMs,
    },
    signer,
    views.checkpoint(),
    // What a reader may hurry the followers to before this server commits anything: the log as it stands.
    await opened.headPosition(),
  );
  opened.onCommitted((position) => worker.committed(position));
  return { worker };
}

/**
 * The ledger's shared machinery, available to every feature module: the store (sealed), the one command
 * executor, the folded-stream cache, the views and their projector, the notary, the one view source and
 * the edge authentication (API keys, then request signatures).
 */
@Global()
@Module({})
export class LedgerModule {
  static forRoot(config: LedgerConfig): DynamicModule {
    const exported = [
      LEDGER_CONFIG,
      EVENT_STORE,
      ReadModelStore,
      Projector,
      LogNotary,
      LedgerStreams,
      ViewsReady,
      ViewSource,
      AuthService,
      CommandExecutor,
      CaptureJobs,
    ];
    return {
      module: LedgerModule,
      providers: [
        { provide: LEDGER_CONFIG, useValue: config },
        {
          provide: OPENED_STORE,
          useFactory: () => openEventStore(config.storeUrl, { sqliteWriter: config.writer }),
        },
        {
          // Every event is sealed into its stream's hash chain on the way in (ADR 0012); metered (ADR 0027).
          provide: EVENT_STORE,
          inject: [OPENED_STORE, LedgerMetrics],
          useFactory: (opened: EventStore, metrics: LedgerMetrics) =>
            metrics.countConflicts(new SealingEventStore(metrics.observeCommits(opened))),
        },
        {
          provide: ReadModelStore,
          inject: [OPENED_STORE],
          useFactory: async (opened: EventStore) => openViewsOf(opened, config.viewsPath),
        },
        {
          provide: CHECKPOINT_SIGNER,
          useFactory: () =>
            config.signingKeyPath
              ? CheckpointSigner.fromFile(config.signingKeyPath)
              : CheckpointSigner.ephemeral(),
        },
        {
          provide: FOLLOWERS,
          inject: [OPENED_STORE, ReadModelStore, CHECKPOINT_SIGNER],
          useFactory: (opened: EventStore, views: ReadModelStore, signer: CheckpointSigner) =>
            followersWorker(config, opened, views, signer),
        },
        {
          provide: Projector,
          inject: [EVENT_STORE, ReadModelStore, FOLLOWERS],
          useFactory: (store: EventStore, views: ReadModelStore, { worker }: { worker?: FollowersWorker }) =>
            worker
              ? new ProjectorInWorker(store, views, worker)
              : loggingInterruptions(new Projector(store, views, LEDGER_PROJECTIONS), 'projector'),
        },
        {
          provide: LogNotary,
          inject: [EVENT_STORE, CHECKPOINT_SIGNER, FOLLOWERS],
          useFactory: (
            store: EventStore,
            signer: CheckpointSigner,
            { worker }: { worker?: FollowersWorker },
          ) => {
            const options = { everyEvents: config.checkpointEveryEvents, everyMs: config.checkpointEveryMs };
            return worker
              ? NotaryInWorker.beside(store, config.integrityPath, signer, options, worker)
              : loggingInterruptions(LogNotary.open(store, config.integrityPath, signer, options), 'notary');
          },
        },
        {
          provide: LedgerLifecycle,
          inject: [Projector, LogNotary, ReadModelStore, EVENT_STORE],
          useFactory: (p: Projector, n: LogNotary, v: ReadModelStore, s: EventStore) =>
            new LedgerLifecycle(p, n, v, s),
        },
        // In this order: the signature check needs the actor the API key names.
        { provide: APP_GUARD, useClass: ApiKeyGuard },
        { provide: APP_GUARD, useClass: SignatureGuard },
        AuthService,
        LedgerStreams,
        CommandExecutor,
        ViewsReady,
        ViewSource,
        { provide: REACH, useExisting: ViewSource },
        CaptureJobs,
      ],
      exports: exported,
    };
  }
}
