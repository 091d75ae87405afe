import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import ts from 'typescript';

/** One architecture rule: files under `scope` must not import what `forbidden` matches. */
export interface ImportRule {
  readonly name: string;
  readonly scope: string;
  readonly forbidden: (specifier: string) => boolean;
  /** Test files may use what production code may not (e.g. a temp SQLite file). */
  readonly exceptTests?: boolean;
}

export interface Violation {
  readonly rule: string;
  readonly file: string;
  readonly specifier: string;
}

const TEST_FILE = /\.(spec|int-spec|e2e-spec)\.ts$/;

/** Every module specifier a TypeScript source imports, re-exports or requires. */
export function importsOf(source: string): string[] {
  return ts.preProcessFile(source, true, true).importedFiles.map((file) => file.fileName);
}

export function checkFile(rules: readonly ImportRule[], file: string, source: string): Violation[] {
  return rules
    .filter((rule) => file.startsWith(`${rule.scope}/`) && !(rule.exceptTests && TEST_FILE.test(file)))
    .flatMap((rule) =>
      importsOf(source)
        .filter((specifier) => rule.forbidden(specifier))
        .map((specifier) => ({ rule: rule.name, file, specifier })),
    );
}

export function checkTree(root: string, rules: readonly ImportRule[]): Violation[] {
  return sourceFiles(root).flatMap((path) =>
    checkFile(rules, relative(root, path), readFileSync(path, 'utf8')),
  );
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory())
      return ['node_modules', 'dist', 'data'].includes(entry.name) ? [] : sourceFiles(path);
    return entry.name.endsWith('.ts') ? [path] : [];
  });
}
