import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';

/** The built API server's entry point (what `npm start` runs). */
export const API_MAIN = resolve(__dirname, '../../../../../api/apps/api/src/main.js');

/** The ledger API server as a child process, listening on a free loopback port. */
export class LedgerProcess {
  private constructor(
    private readonly child: ChildProcess,
    private readonly exited: Promise<number | null>,
    readonly url: string,
  ) {}

  /**
   * `nodeArgs` go to the server's node, e.g. `--cpu-prof` to profile it; `script` is another server that
   * prints its address the same way (the bench's bare Fastify ceiling).
   */
  static async start(
    env: Record<string, string>,
    nodeArgs: readonly string[] = [],
    script: string = API_MAIN,
  ): Promise<LedgerProcess> {
    if (!existsSync(script)) throw new Error(`${script} is missing: run "npm run build" first`);
    const child = spawn(process.execPath, [...nodeArgs, script], {
      env: {
        ...process.env,
        TRACELODE_LOG_LEVEL: 'log',
        // The demo's and the benches' chains are dated in 2026: a backfill, beyond the default recording
        // window (ADR 0017), unless the caller's environment sets one.
        TRACELODE_MAX_RECORDING_DELAY: process.env.TRACELODE_MAX_RECORDING_DELAY ?? '3650d',
        ...env,
        TRACELODE_PORT: '0',
        TRACELODE_HOST: '127.0.0.1',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const exited = new Promise<number | null>((done) => child.once('exit', done));
    // If this process dies first (an error, Ctrl-C), the server must not outlive it.
    const killOnExit = () => child.kill('SIGKILL');
    process.once('exit', killOnExit);
    void exited.then(() => process.off('exit', killOnExit));
    let output = '';
    const url = await new Promise<string>((ready, fail) => {
      const timer = setTimeout(() => {
        child.kill('SIGKILL');
        fail(new Error(`the ledger did not start within 30 s:\n${output}`));
      }, 30_000);
      const read = (chunk: Buffer) => {
        // The pipes are drained for the whole run (a full pipe would stall the server); only the tail is kept.
        output = (output + chunk.toString()).slice(-20_000);
        const found = /Tracelode ledger on (http:\/\/[\d.:]+)/.exec(output)?.[1];
        if (found) {
          clearTimeout(timer);
          ready(found);
        }
      };
      child.stdout?.on('data', read);
      child.stderr?.on('data', read);
      void exited.then((code) => {
        clearTimeout(timer);
        fail(new Error(`the ledger exited (${code}) before listening:\n${output}`));
      });
    });
    return new LedgerProcess(child, exited, url);
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  /** SIGKILL, for when the caller itself is being stopped. */
  kill(): void {
    this.child.kill('SIGKILL');
  }

  /** A clean shutdown (SIGTERM, so the store closes), SIGKILL if it hangs; safe to call twice. */
  async stop(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    this.child.kill('SIGTERM');
    const killer = setTimeout(() => this.child.kill('SIGKILL'), 10_000);
    await this.exited;
    clearTimeout(killer);
  }
}
