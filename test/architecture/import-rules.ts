import { readdirSync, readFileSync } from 'node:fs';
import { join, posix, relative, sep } from 'node:path';
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

/** Production source files (no specs) under the given top folders, as `{ path relative to root: source }`. */
export function productionSources(root: string, tops: readonly string[] = ['apps', 'libs']): Sources {
  const sources: Record<string, string> = {};
  for (const top of tops)
    for (const path of sourceFiles(join(root, top))) {
      const file = relative(root, path).split(sep).join('/');
      if (!TEST_FILE.test(file)) sources[file] = readFileSync(path, 'utf8');
    }
  return sources;
}

/** Source files by their path from the repository root (POSIX separators). */
export type Sources = Readonly<Record<string, string>>;

const ALIAS = /^@tracelode\/([^/]+)(\/.*)?$/;

/**
 * The file an import specifier names, if it is one of `files`: relative specifiers from the importing
 * file's folder, and `@tracelode/<lib>` as `libs/<lib>/src/index.ts`; `.ts`, `.js` → `.ts` and
 * `/index.ts` are tried. Packages (and anything not in `files`) resolve to undefined.
 */
export function resolveImport(
  from: string,
  specifier: string,
  files: ReadonlySet<string>,
): string | undefined {
  let target: string;
  const alias = ALIAS.exec(specifier);
  if (alias) target = `libs/${alias[1]}/src${alias[2] ?? '/index.ts'}`;
  else if (specifier.startsWith('./') || specifier.startsWith('../'))
    target = posix.join(posix.dirname(from), specifier);
  else return undefined;
  const base = target.replace(/\.js$/, '');
  return [target, `${base}.ts`, `${base}/index.ts`].find((candidate) => files.has(candidate));
}

/** Each file's resolved imports within `sources` (sorted, without duplicates). */
export function importGraph(sources: Sources): Map<string, string[]> {
  const files = new Set(Object.keys(sources));
  const graph = new Map<string, string[]>();
  for (const [file, source] of Object.entries(sources)) {
    const targets = importsOf(source).flatMap((specifier) => resolveImport(file, specifier, files) ?? []);
    graph.set(file, [...new Set(targets)].sort());
  }
  return graph;
}

/**
 * The import circles in `sources`, each as the list of files along it (`a → b → … → a`, the first file
 * not repeated at the end), starting at its alphabetically first file. Tarjan's algorithm finds the
 * strongly connected components; within each, the shortest circle through every file is reported, so
 * every file that sits on a circle appears in at least one.
 */
export function findImportCycles(sources: Sources): string[][] {
  const graph = importGraph(sources);
  const cycles = new Map<string, string[]>();
  for (const component of stronglyConnected(graph)) {
    const members = new Set(component);
    for (const start of [...component].sort()) {
      const cycle = shortestCycleThrough(start, graph, members);
      if (!cycle) continue;
      const first = cycle.indexOf([...cycle].sort()[0]!);
      const rotated = [...cycle.slice(first), ...cycle.slice(0, first)];
      cycles.set(rotated.join(' → '), rotated);
    }
  }
  return [...cycles.values()].sort((a, b) => a.join().localeCompare(b.join()));
}

function stronglyConnected(graph: ReadonlyMap<string, readonly string[]>): string[][] {
  let next = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const components: string[][] = [];
  const visit = (file: string): void => {
    index.set(file, next);
    low.set(file, next);
    next += 1;
    stack.push(file);
    onStack.add(file);
    for (const target of graph.get(file) ?? []) {
      if (!index.has(target)) {
        visit(target);
        low.set(file, Math.min(low.get(file)!, low.get(target)!));
      } else if (onStack.has(target)) low.set(file, Math.min(low.get(file)!, index.get(target)!));
    }
    if (low.get(file) !== index.get(file)) return;
    const component: string[] = [];
    let member: string;
    do {
      member = stack.pop()!;
      onStack.delete(member);
      component.push(member);
    } while (member !== file);
    if (component.length > 1 || (graph.get(file) ?? []).includes(file)) components.push(component);
  };
  for (const file of [...graph.keys()].sort()) if (!index.has(file)) visit(file);
  return components;
}

/** Breadth-first: the shortest path from `start` back to itself inside `members`. */
function shortestCycleThrough(
  start: string,
  graph: ReadonlyMap<string, readonly string[]>,
  members: ReadonlySet<string>,
): string[] | undefined {
  const previous = new Map<string, string>();
  const queue = [start];
  for (let i = 0; i < queue.length; i += 1) {
    const file = queue[i]!;
    for (const target of graph.get(file) ?? []) {
      if (!members.has(target)) continue;
      if (target === start) {
        const path = [file];
        while (path[0] !== start) path.unshift(previous.get(path[0]!)!);
        return path;
      }
      if (previous.has(target) || target === start) continue;
      previous.set(target, file);
      queue.push(target);
    }
  }
  return undefined;
}

/** A violation of a rule over resolved imports: `file` imports `target` (or, for `reason`, something). */
export interface GraphViolation {
  readonly rule: string;
  readonly file: string;
  readonly target: string;
  readonly reason: string;
}

export const FEATURES_RULE = 'no feature imports another feature';

/**
 * Files in one feature folder (`<root>/<feature>/…`) importing a file in another feature's folder.
 * Shared code (any other top-level folder, and the root's own files) may be imported by every feature.
 */
export function checkFeatures(sources: Sources, root: string, features: readonly string[]): GraphViolation[] {
  const featureOf = (file: string) => {
    if (!file.startsWith(`${root}/`)) return undefined;
    const top = file.slice(root.length + 1).split('/');
    return top.length > 1 && features.includes(top[0]!) ? top[0] : undefined;
  };
  return [...importGraph(sources)].flatMap(([file, targets]) => {
    const own = featureOf(file);
    if (own === undefined) return [];
    return targets
      .filter((target) => featureOf(target) !== undefined && featureOf(target) !== own)
      .map((target) => ({
        rule: FEATURES_RULE,
        file,
        target,
        reason: `feature ${own} imports feature ${featureOf(target)}`,
      }));
  });
}

export const LEVELS_RULE = 'no library imports a higher one';

/**
 * Each lib (`libs/<lib>/src`) may import only libs of a strictly lower level, and itself. A lib with no
 * level — one that exists in the tree or is imported, but is missing from the table — is a violation too,
 * so a stale or new lib fails loudly instead of passing unchecked. Test files are not checked.
 */
export function checkLibraryLevels(
  sources: Sources,
  levels: Readonly<Record<string, number>>,
): GraphViolation[] {
  const libOf = (file: string) => /^libs\/([^/]+)\//.exec(file)?.[1];
  const violations: GraphViolation[] = [];
  const unlevelled = new Set<string>();
  // Once for a lib in the tree without a level, and once for each file importing such a lib.
  const noLevel = (lib: string, file: string, target: string) => {
    if (unlevelled.has(`${lib} ${file}`)) return;
    unlevelled.add(`${lib} ${file}`);
    violations.push({ rule: LEVELS_RULE, file, target, reason: `library ${lib} has no level` });
  };
  for (const [file, targets] of importGraph(sources)) {
    const lib = libOf(file);
    if (lib === undefined || TEST_FILE.test(file)) continue;
    const level = levels[lib];
    if (level === undefined) noLevel(lib, `libs/${lib}`, '');
    for (const target of targets) {
      const other = libOf(target);
      if (other === undefined || other === lib) continue;
      const otherLevel = levels[other];
      if (otherLevel === undefined) noLevel(other, file, target);
      else if (level !== undefined && otherLevel >= level)
        violations.push({
          rule: LEVELS_RULE,
          file,
          target,
          reason: `${lib} (level ${level}) imports ${other} (level ${otherLevel})`,
        });
    }
  }
  return violations;
}
