import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));
const shim = (name: string) => here(`src/shims/${name}`);

/**
 * The explorer (ADR 0030). JSX through Vite's own oxc transform (automatic runtime), no plugin. The audit
 * bundle verifier is the CLI's own code from libs/: node:crypto is answered by a small @noble-backed module
 * (src/shims/node-crypto.ts) and the server-only modules the libraries' indexes name by empty stand-ins,
 * which the verifier never calls.
 */
export default defineConfig({
  root: here('.'),
  base: './',
  oxc: { jsx: { runtime: 'automatic' } },
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
