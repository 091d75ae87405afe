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

  static async start(env: Record<string, string>): Promise<LedgerProcess> {
    if (!existsSync(API_MAIN)) throw new Error(`${API_MAIN} is missing: run "npm run build" first`);
    const child = spawn(process.execPath, [API_MAIN], {
      env: {
        ...process.env,
        TRACELODE_LOG_LEVEL: 'log',
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
        output += chunk.toString();
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

  async stop(): Promise<void> {
    this.child.kill('SIGTERM');
    await this.exited;
  }
}
