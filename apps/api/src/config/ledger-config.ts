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
  /** How long a query given `minPosition` waits for the views. */
  readonly minPositionWaitMs: number;
  readonly logLevel: 'error' | 'warn' | 'log' | 'debug';
}

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

const LOG_LEVELS = ['error', 'warn', 'log', 'debug'] as const;

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
  return {
    port,
    host: env.TRACELODE_HOST ?? '127.0.0.1',
    storeUrl: env.TRACELODE_STORE ?? 'sqlite:./data/ledger.db',
    viewsPath: env.TRACELODE_VIEWS ?? './data/views.db',
    adminToken,
    minPositionWaitMs: 5000,
    logLevel: logLevel as LedgerConfig['logLevel'],
  };
}
