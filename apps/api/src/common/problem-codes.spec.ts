import { REFUSALS } from '@tracelode/domain';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { API_PROBLEMS, STATUS_OF_CODE, STATUS_OF_KIND } from './problem-codes';

const ROOT = join(__dirname, '../../../..');

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory())
      return ['node_modules', 'dist', 'testdata'].includes(entry.name) ? [] : sources(path);
    return entry.name.endsWith('.ts') && !/\.(spec|int-spec|e2e-spec)\.ts$/.test(entry.name) ? [path] : [];
  });
}

/** Every code a production file raises: through refuse, apiProblem, a 401, or a `code:` literal. */
function raisedCodes(): Map<string, string[]> {
  const raised = new Map<string, string[]>();
  const pattern =
    /(?:refuse|apiProblem|UnauthenticatedError|fail)\(\s*'([A-Z][A-Z_]+)'|code: '([A-Z][A-Z_]+)'|\| '([A-Z][A-Z_]+)'/g;
  for (const file of [...sources(join(ROOT, 'apps')), ...sources(join(ROOT, 'libs'))]) {
    for (const match of readFileSync(file, 'utf8').matchAll(pattern)) {
      const code = match[1] ?? match[2] ?? match[3]!;
      raised.set(code, [...(raised.get(code) ?? []), file.slice(ROOT.length + 1)]);
    }
  }
  return raised;
}

describe('refusal codes and HTTP statuses', () => {
  it('gives every code exactly one status: a domain code by its kind, an API code by its entry', () => {
    const both = Object.keys(REFUSALS).filter((code) => code in API_PROBLEMS);
    expect(both).toEqual([]);
    for (const [code, kind] of Object.entries(REFUSALS))
      expect(STATUS_OF_CODE[code]).toBe(STATUS_OF_KIND[kind]);
    for (const [code, status] of Object.entries(API_PROBLEMS)) expect(STATUS_OF_CODE[code]).toBe(status);
  });

  it('enumerates the statuses, with a batch in transit a conflict everywhere (ADR 0015)', () => {
    expect(STATUS_OF_CODE.BATCH_IN_TRANSIT).toBe(409);
    expect(STATUS_OF_CODE.BATCH_NOT_IN_CUSTODY).toBe(422);
    expect(STATUS_OF_CODE.ROLE_REQUIRED).toBe(403);
    expect(STATUS_OF_CODE.BATCH_NOT_FOUND).toBe(404);
    expect(STATUS_OF_CODE.MALFORMED_JSON).toBe(400);
    expect(STATUS_OF_CODE.SIGNATURE_REQUIRED).toBe(401);
    expect(STATUS_OF_CODE.VIEWS_BEHIND).toBe(503);
    expect(new Set(Object.values(STATUS_OF_CODE))).toEqual(
      new Set([400, 401, 403, 404, 405, 409, 413, 414, 415, 422, 429, 431, 499, 500, 503]),
    );
  });

  it('knows every code a production file raises', () => {
    const unknown = [...raisedCodes()].filter(([code]) => STATUS_OF_CODE[code] === undefined);
    expect(unknown).toEqual([]);
  });

  it('finds codes the registry does not know (the scan can fail)', () => {
    expect(STATUS_OF_CODE.NOT_A_REGISTERED_CODE).toBeUndefined();
    expect(raisedCodes().get('BATCH_IN_TRANSIT')?.length).toBeGreaterThan(0);
  });

  it('is listed in the README, each code with its status', () => {
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    const rows = new Map(
      [...readme.matchAll(/^\| `([A-Z][A-Z_]+)` +\| (\d{3}) /gm)].map((row) => [row[1]!, Number(row[2])]),
    );
    expect(Object.fromEntries(rows)).toEqual(STATUS_OF_CODE);
  });
});
