import {
  type DynamicModule,
  Global,
  Inject,
  Injectable,
  Module,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { TerminusModule } from '@nestjs/terminus';
import type { EventStore, LogFollower } from '@tracelode/event-store';
import { LogNotary } from '@tracelode/log';
import { Projector } from '@tracelode/projections';
import { LoggerModule } from 'nestjs-pino';
import type { Server } from 'node:http';
import type { Logger } from 'pino';
import { filesOnDisk, type LedgerConfig } from '../config/ledger-config';
import { EVENT_STORE, LEDGER_CONFIG } from '../ledger/ledger.tokens';
import { CommandRoutes } from './command-routes';
import { HeadReader } from './head-reader';
import { createRootLogger } from './ledger-logger';
import { type FollowerState, LedgerMetrics } from './ledger-metrics';
import { MetricsController } from './metrics.controller';
import { startMetricsServer, urlOf } from './metrics-server';
import { ReadinessController } from './readiness.controller';

/** The ledger's root pino logger (the request log, Nest's logs and main.ts's start-up line all go to it). */
export const ROOT_LOGGER = Symbol('ROOT_LOGGER');

/** Feeds the metrics what only the running ledger knows, and serves them on the loopback port if asked. */
@Injectable()
class MetricsLifecycle implements OnApplicationBootstrap, OnApplicationShutdown {
  private server?: Server;

  constructor(
    private readonly metrics: LedgerMetrics,
    @Inject(LEDGER_CONFIG) private readonly config: LedgerConfig,
    private readonly heads: HeadReader,
    @Inject(ROOT_LOGGER) private readonly logger: Logger,
    private readonly projector: Projector,
    private readonly notary: LogNotary,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const files = filesOnDisk(this.config);
    this.metrics.watch({
      readHead: () => this.heads.read(),
      viewsPosition: () => this.projector.position,
      notaryPosition: () => this.notary.size,
      followerStates: () => ({ views: stateOf(this.projector), notary: stateOf(this.notary) }),
      latestCheckpoint: () => this.notary.latestCheckpoint(),
      files: {
        events: files.store,
        views: files.views,
        integrity: files.integrity,
      },
    });
    if (this.config.metricsPort !== undefined) {
      this.server = await startMetricsServer(this.metrics, this.config.metricsPort);
      // At info whatever the level, like the API's own address: an agent is pointed at it from here.
      this.logger.child({}, { level: 'info' }).info(`Metrics on ${urlOf(this.server)} (loopback only)`);
    }
  }

  async onApplicationShutdown(): Promise<void> {
    await new Promise<void>((closed) => (this.server ? this.server.close(() => closed()) : closed()));
  }
}

/** Whether a follower follows the log, reads it again after a passing fault, or has stopped for good. */
function stateOf(follower: LogFollower): FollowerState {
  if (follower.error) return 'stopped';
  return follower.interruption ? 'interrupted' : 'following';
}

/**
 * Logs (nestjs-pino: pino and pino-http), metrics (prom-client) and readiness (@nestjs/terminus): what an
 * operator watches the ledger by (ADR 0027).
 */
@Global()
@Module({})
export class ObservabilityModule {
  static forRoot(config: LedgerConfig): DynamicModule {
    const logger = createRootLogger(config);
    return {
      module: ObservabilityModule,
      imports: [
        LoggerModule.forRoot({
          // Nest's own logs go to the root logger. No pino-http middleware (no routes): each request's line
          // is written by the onResponse hook (logRequest, app.factory.ts).
          pinoHttp: { logger },
          forRoutes: [],
        }),
        TerminusModule.forRoot({ logger: false }),
        DiscoveryModule,
      ],
      providers: [
        { provide: ROOT_LOGGER, useValue: logger },
        { provide: LedgerMetrics, useFactory: () => new LedgerMetrics() },
        // One read of the log's head at a time, shared by readiness probes and metrics scrapes.
        {
          provide: HeadReader,
          useFactory: (store: EventStore) => new HeadReader(() => store.headPosition()),
          inject: [EVENT_STORE],
        },
        CommandRoutes,
        MetricsLifecycle,
      ],
      controllers: [MetricsController, ReadinessController],
      exports: [ROOT_LOGGER, LedgerMetrics, LoggerModule],
    };
  }
}
