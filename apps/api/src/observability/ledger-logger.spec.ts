import pino from 'pino';
import { Writable } from 'node:stream';
import { REDACTED_PATHS, requestIdOf } from './ledger-logger';

describe('requestIdOf', () => {
  it('keeps a client id of 1 to 128 safe characters', () => {
    expect(requestIdOf('abc-123_4.5:6')).toBe('abc-123_4.5:6');
    expect(requestIdOf(['first', 'second'])).toBe('first');
    expect(requestIdOf('x'.repeat(128))).toBe('x'.repeat(128));
  });

  it.each([undefined, '', 'x'.repeat(129), 'a b', 'a"b', 'a\nb', '{"level":60}', 'é'])(
    'replaces %p with a new UUID',
    (given) => {
      expect(requestIdOf(given)).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    },
  );
});

describe('the redacted paths', () => {
  const logged = (object: Record<string, unknown>): string => {
    let out = '';
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        out += chunk.toString();
        done();
      },
    });
    pino({ redact: { paths: REDACTED_PATHS, censor: '[REDACTED]' } }, sink).info(object, 'message');
    return out;
  };

  it('censor a secret-named field at the top level and up to three levels down, whatever else is there', () => {
    const out = logged({
      authorization: 'Bearer top-secret-1',
      headers: { authorization: 'Bearer top-secret-2', 'signature-input': 'sig1=top-secret-3' },
      body: { key: { privateKey: 'top-secret-4', jwk: { d: 'top-secret-5' } } },
      result: { apiKey: 'top-secret-6', orgId: 'kept-org' },
    });
    expect(out).not.toContain('top-secret');
    expect(out).toContain('[REDACTED]');
    expect(out).toContain('kept-org');
  });
});
