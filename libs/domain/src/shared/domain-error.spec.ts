import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { DomainError, REFUSALS, type RefusalCode, refuse } from './domain-error';

const DOMAIN_SRC = join(__dirname, '..');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.spec.ts') ? [path] : [];
  });
}

describe('refusal codes', () => {
  const codes = Object.keys(REFUSALS) as RefusalCode[];

  it('are UPPER_SNAKE', () => {
    expect(codes.filter((code) => !/^[A-Z][A-Z0-9]*(_[A-Z0-9]+)*$/.test(code))).toEqual([]);
  });

  it.each(codes)('refuse(%s) carries the registry’s kind', (code) => {
    const refusal = refuse(code, 'message', { detail: 1 });
    expect(refusal).toBeInstanceOf(DomainError);
    expect(refusal).toMatchObject({ code, kind: REFUSALS[code], message: 'message', details: { detail: 1 } });
  });

  describe('the registry is the only way to refuse', () => {
    const files = sourceFiles(DOMAIN_SRC);

    it('finds the domain sources', () => {
      expect(files.length).toBeGreaterThan(10);
      expect(files.map((file) => relative(DOMAIN_SRC, file))).toContain(join('batch', 'batch.decider.ts'));
    });

    it('constructs DomainError nowhere but in domain-error.ts', () => {
      const constructing = files
        .filter((file) => !file.endsWith(join('shared', 'domain-error.ts')))
        .filter((file) => /new\s+DomainError\b/.test(readFileSync(file, 'utf8')))
        .map((file) => relative(DOMAIN_SRC, file));
      expect(constructing).toEqual([]);
    });

    it('passes refuse( only codes of the registry, as string literals', () => {
      const unknown: string[] = [];
      const notLiteral: string[] = [];
      let calls = 0;
      for (const file of files) {
        const source = readFileSync(file, 'utf8');
        for (const match of source.matchAll(/\brefuse\(\s*([^,)\s]*)/g)) {
          const where = `${relative(DOMAIN_SRC, file)}: refuse(${match[1]}`;
          calls++;
          const literal = /^'([^']*)'$/.exec(match[1] ?? '');
          if (!literal) notLiteral.push(where);
          else if (!Object.hasOwn(REFUSALS, literal[1]!)) unknown.push(where);
        }
      }
      expect(calls).toBeGreaterThan(50);
      expect(unknown).toEqual([]);
      expect(notLiteral).toEqual([]);
    });
  });
});
