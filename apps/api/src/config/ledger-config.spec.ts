import { parseDurationMs } from './duration';
import { ConfigError, filesOnDisk, loadConfig } from './ledger-config';

describe('TRACELODE_MAX_RECORDING_DELAY', () => {
  const delay = (value?: string) =>
    loadConfig(value === undefined ? {} : { TRACELODE_MAX_RECORDING_DELAY: value }).maxRecordingDelayMs;

  it('is 30 days by default', () => {
    expect(delay()).toBe(30 * 24 * 3600 * 1000);
    expect(delay('')).toBe(30 * 24 * 3600 * 1000);
  });

  it('takes days, hours, minutes, seconds, or a bare number of seconds', () => {
    expect(delay('30d')).toBe(30 * 24 * 3600 * 1000);
    expect(delay('72h')).toBe(72 * 3600 * 1000);
    expect(delay('90m')).toBe(90 * 60 * 1000);
    expect(delay('45s')).toBe(45 * 1000);
    expect(delay('2592000')).toBe(2592000 * 1000);
  });

  it.each(['0', '0d', '-1d', '1.5d', '30 days', 'P30D', '3w', 'd', '99999999999999999d'])(
    'refuses %p at start-up',
    (value) => {
      expect(() => delay(value)).toThrow(ConfigError);
      expect(() => delay(value)).toThrow(/TRACELODE_MAX_RECORDING_DELAY/);
    },
  );

  it('parses the documented forms only', () => {
    expect(parseDurationMs(' 72h ')).toBe(72 * 3600 * 1000);
    expect(parseDurationMs('72H')).toBeUndefined();
  });
});

describe('TRACELODE_PUBLIC_URL', () => {
  const publicUrl = (env: NodeJS.ProcessEnv) => loadConfig(env).publicUrl;

  it('is the address the ledger listens on by default', () => {
    expect(publicUrl({})).toBe('http://127.0.0.1:3000');
    expect(publicUrl({ TRACELODE_HOST: '0.0.0.0', TRACELODE_PORT: '8080' })).toBe('http://localhost:8080');
  });

  it('takes an http(s) base URL, without its trailing slash', () => {
    expect(publicUrl({ TRACELODE_PUBLIC_URL: 'https://ledger.example.com/' })).toBe(
      'https://ledger.example.com',
    );
    expect(publicUrl({ TRACELODE_PUBLIC_URL: 'https://example.com/tracelode/' })).toBe(
      'https://example.com/tracelode',
    );
  });

  it.each([
    'ledger.example.com',
    'ftp://example.com',
    'https://example.com/?a=1',
    'https://u:p@example.com',
    'https://example.com/#x',
  ])('refuses %p at start-up', (value) => {
    expect(() => publicUrl({ TRACELODE_PUBLIC_URL: value })).toThrow(/TRACELODE_PUBLIC_URL/);
  });
});

describe('the operating variables (ADR 0027)', () => {
  it('defaults to JSON logs, no metrics port and a readiness lag of 1,000 events', () => {
    expect(loadConfig({})).toMatchObject({ logPretty: false, metricsPort: undefined, readyLag: 1000 });
  });

  it('reads them', () => {
    expect(
      loadConfig({ TRACELODE_LOG_PRETTY: '1', TRACELODE_METRICS_PORT: '9464', TRACELODE_READY_LAG: '0' }),
    ).toMatchObject({ logPretty: true, metricsPort: 9464, readyLag: 0 });
  });

  it.each([
    ['TRACELODE_LOG_PRETTY', 'maybe'],
    ['TRACELODE_METRICS_PORT', '70000'],
    ['TRACELODE_METRICS_PORT', 'http'],
    ['TRACELODE_READY_LAG', '-1'],
    ['TRACELODE_READY_LAG', '1.5'],
  ])('refuses %s=%p at start-up, naming it', (name, value) => {
    expect(() => loadConfig({ [name]: value })).toThrow(ConfigError);
    expect(() => loadConfig({ [name]: value })).toThrow(name);
  });
});

describe('where the embedded store’s work runs (ADRs 0029, 0037)', () => {
  it('puts the followers in a worker thread and the writer on the request thread by default, either where asked', () => {
    expect(loadConfig({})).toMatchObject({ followers: 'worker', writer: 'thread' });
    expect(loadConfig({ TRACELODE_FOLLOWERS: 'thread', TRACELODE_WRITER: 'worker' })).toMatchObject({
      followers: 'thread',
      writer: 'worker',
    });
  });

  it('gathers the views 20 ms a batch in the worker by default, as long as asked, 0 for each turn', () => {
    expect(loadConfig({}).viewsGatherMs).toBe(20);
    expect(loadConfig({ TRACELODE_VIEWS_GATHER_MS: '0' }).viewsGatherMs).toBe(0);
    expect(loadConfig({ TRACELODE_VIEWS_GATHER_MS: '60000' }).viewsGatherMs).toBe(60_000);
  });

  it.each(['-1', '2.5', '60001', 'soon'])(
    'refuses TRACELODE_VIEWS_GATHER_MS=%p at start-up, naming it',
    (value) => {
      expect(() => loadConfig({ TRACELODE_VIEWS_GATHER_MS: value })).toThrow(
        `TRACELODE_VIEWS_GATHER_MS must be a whole number of milliseconds from 0 to 60000, got "${value}"`,
      );
    },
  );

  it.each(['TRACELODE_FOLLOWERS', 'TRACELODE_WRITER'])(
    'refuses %s=process at start-up, naming it',
    (name) => {
      expect(() => loadConfig({ [name]: 'process' })).toThrow(ConfigError);
      expect(() => loadConfig({ [name]: 'process' })).toThrow(`${name} must be worker or thread`);
    },
  );
});

describe('the files', () => {
  it('takes a file variable set but empty as unset, never as SQLite’s private temporary database', () => {
    const config = loadConfig({
      TRACELODE_STORE: '',
      TRACELODE_VIEWS: '',
      TRACELODE_INTEGRITY: '',
      TRACELODE_SIGNING_KEY: '',
    });
    expect(config).toMatchObject({
      storeUrl: 'sqlite:./data/ledger.db',
      viewsPath: './data/views.db',
      integrityPath: 'data/integrity.db',
      signingKeyPath: 'data/ledger-signing-key.pem',
    });
  });
});

describe('a store in memory', () => {
  it('keeps its views and its notary’s log in memory by default, so none outlives it', () => {
    expect(loadConfig({ TRACELODE_STORE: 'memory:' })).toMatchObject({
      viewsPath: ':memory:',
      integrityPath: ':memory:',
      signingKeyPath: undefined,
    });
    expect(loadConfig({ TRACELODE_STORE: 'memory:', TRACELODE_VIEWS: './v.db' }).viewsPath).toBe('./v.db');
  });
});

describe('the files on disk: what another thread may open, and the metrics measure', () => {
  it('names each SQLite file, and none that is in memory or not a file of this machine', () => {
    expect(filesOnDisk(loadConfig({}))).toEqual({
      store: './data/ledger.db',
      views: './data/views.db',
      integrity: 'data/integrity.db',
    });
    expect(filesOnDisk(loadConfig({ TRACELODE_STORE: 'memory:' }))).toEqual({
      store: undefined,
      views: undefined,
      integrity: undefined,
    });
    expect(filesOnDisk(loadConfig({ TRACELODE_STORE: 'memory:', TRACELODE_VIEWS: './v.db' }))).toEqual({
      store: undefined,
      views: './v.db',
      integrity: undefined,
    });
    expect(filesOnDisk(loadConfig({ TRACELODE_STORE: 'sqlite::memory:' }))).toMatchObject({
      store: undefined,
      views: './data/views.db',
    });
    expect(
      filesOnDisk(loadConfig({ TRACELODE_STORE: 'kurrentdb://127.0.0.1:2113?tls=false' })),
    ).toMatchObject({
      store: undefined,
      views: './data/views.db',
    });
  });
});
