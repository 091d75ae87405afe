import { parseDurationMs } from './duration';
import { ConfigError, loadConfig } from './ledger-config';

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
