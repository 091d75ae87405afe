import { type ChildProcess, spawn } from 'node:child_process';

/**
 * Asks `/health` every `everyMs` from a process of its own (so the test's own work cannot delay it) and
 * reports how long each answer took: the longest wait is what a load balancer's probe would have seen.
 */
export class HealthProbe {
  private output = '';
  private constructor(private readonly child: ChildProcess) {
    child.stdout?.on('data', (chunk: Buffer) => (this.output += chunk.toString()));
  }

  /**
   * Starts the probe and resolves once its first, uncounted answer came back: a fresh Node process's first
   * request pays for loading its HTTP client (about 90 ms on an idle machine, more under load), which is the
   * probe's own start-up, not a wait the server caused. Each counted probe opens a connection of its own
   * (no keep-alive), as a load balancer's check does, so the wait includes the server accepting it.
   */
  static async start(baseUrl: string, everyMs = 20): Promise<HealthProbe> {
    const script = `
      const http = require('node:http');
      const waits = [];
      let failures = 0;
      const ask = () => new Promise((done) => {
        const request = http.get(${JSON.stringify(`${baseUrl}/health`)}, { agent: false }, (response) => {
          response.resume();
          response.on('end', () => done(response.statusCode === 200));
          response.on('error', () => done(false));
        });
        request.on('error', () => done(false));
      });
      const probe = async () => {
        const started = performance.now();
        if (!(await ask())) failures++;
        waits.push(performance.now() - started);
      };
      // One probe at a time, as a load balancer's health check: the next starts ${everyMs} ms after the last
      // answered, so a stall shows as one long wait rather than a pile of overlapping connections.
      let stopped = false;
      (async () => {
        await ask();
        process.stdout.write('ready\\n');
        while (!stopped) {
          await probe();
          await new Promise((done) => setTimeout(done, ${everyMs}));
        }
      })();
      process.stdin.on('data', () => {
        stopped = true;
        waits.sort((a, b) => a - b);
        process.stdout.write(JSON.stringify({ probes: waits.length, failures, maxMs: waits.at(-1) ?? 0, p99Ms: waits[Math.floor(waits.length * 0.99)] ?? 0 }));
        process.exit(0);
      });`;
    const probe = new HealthProbe(
      spawn(process.execPath, ['-e', script], { stdio: ['pipe', 'pipe', 'inherit'] }),
    );
    await probe.ready();
    return probe;
  }

  private async ready(): Promise<void> {
    while (!this.output.startsWith('ready\n')) {
      if (this.child.exitCode !== null) throw new Error('the /health probe exited before its first answer');
      await new Promise((done) => setTimeout(done, 5));
    }
    this.output = '';
  }

  async stop(): Promise<{ probes: number; failures: number; maxMs: number; p99Ms: number }> {
    const exited = new Promise((done) => this.child.once('exit', done));
    this.child.stdin?.write('stop\n');
    await exited;
    return JSON.parse(this.output) as { probes: number; failures: number; maxMs: number; p99Ms: number };
  }
}
