import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig, type Plugin } from 'vite';

const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));
const shim = (name: string) => here(`src/shims/${name}`);

/**
 * The explorer (ADR 0030). JSX through Vite's own oxc transform (automatic runtime), no plugin. The audit
 * bundle verifier is the CLI's own code from libs/: node:crypto is answered by a small @noble-backed module
 * (src/shims/node-crypto.ts) and the server-only modules the libraries' indexes name by empty stand-ins,
 * which the verifier never calls.
 */
/**
 * V8's explicit compile hint (Chromium 136 and later): a script that starts with this comment has every
 * function compiled as it loads, not on its first call. Given to the verifier's chunks, which the batch and
 * verify pages load when idle (src/components/VerifyPanel.tsx), so a first click does not compile them.
 */
const COMPILE_HINT = '//# allFunctionsCalledOnLoad\n';
const VERIFIER_CHUNKS = /^(verify-in-browser|verify-audit-bundle|checkpoint|node-crypto)$/;
const verifierCompileHints: Plugin = {
  name: 'verifier-compile-hints',
  // Once written: Vite puts its own preamble (the import map of a chunk's dependencies) first until then.
  writeBundle(options, bundle) {
    for (const chunk of Object.values(bundle)) {
      if (chunk.type !== 'chunk' || !VERIFIER_CHUNKS.test(chunk.name)) continue;
      const file = join(options.dir!, chunk.fileName);
      writeFileSync(file, COMPILE_HINT + readFileSync(file, 'utf8'));
    }
  },
};

export default defineConfig({
  root: here('.'),
  base: './',
  oxc: { jsx: { runtime: 'automatic' } },
  plugins: [verifierCompileHints],
  resolve: {
    alias: [
      { find: /^@tracelode\/(.*)$/, replacement: here('../../libs/$1/src/index.ts') },
      { find: 'node:crypto', replacement: shim('node-crypto.ts') },
      { find: 'node:util/types', replacement: shim('node-util-types.ts') },
      {
        find: /^(node:fs|node:path|node:stream|node:worker_threads|node:os|better-sqlite3)$/,
        replacement: shim('server-only.ts'),
      },
      { find: /^@kurrent\/kurrentdb-client.*$/, replacement: shim('server-only.ts') },
    ],
  },
  build: {
    outDir: here('../../dist/web'),
    emptyOutDir: true,
    target: 'es2022',
    chunkSizeWarningLimit: 1500,
  },
});
