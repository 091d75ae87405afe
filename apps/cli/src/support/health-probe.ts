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

  static start(baseUrl: string, everyMs = 20): HealthProbe {
    const script = `
      const waits = [];
      let failures = 0;
      const probe = async () => {
        const started = performance.now();
        try {
          const response = await fetch(${JSON.stringify(`${baseUrl}/health`)});
          await response.text();
          if (response.status !== 200) failures++;
        } catch { failures++; }
        waits.push(performance.now() - started);
      };
      // One probe at a time, as a load balancer's health check: the next starts ${everyMs} ms after the last
      // answered, so a stall shows as one long wait rather than a pile of overlapping connections.
      let stopped = false;
      (async () => {
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
    return new HealthProbe(spawn(process.execPath, ['-e', script], { stdio: ['pipe', 'pipe', 'inherit'] }));
  }

  async stop(): Promise<{ probes: number; failures: number; maxMs: number; p99Ms: number }> {
    const exited = new Promise((done) => this.child.once('exit', done));
    this.child.stdin?.write('stop\n');
    await exited;
    return JSON.parse(this.output) as { probes: number; failures: number; maxMs: number; p99Ms: number };
  }
}
