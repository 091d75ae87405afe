import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';

const CLI_MAIN = resolve(__dirname, '../dist/apps/cli/apps/cli/src/main.js');

describe('npm run demo', () => {
  it('seeds the chain through the API and can run twice on the same store', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tracelode-demo-'));
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      TRACELODE_STORE: `sqlite:${join(dir, 'ledger.db')}`,
      TRACELODE_VIEWS: join(dir, 'views.db'),
    };
    delete env.TRACELODE_ADMIN_TOKEN;
    try {
      for (let run = 0; run < 2; run++) {
        const { stdout } = await promisify(execFile)(process.execPath, [CLI_MAIN, 'demo'], { env });
        expect(stdout).toContain('"remainingMassKg": 24837.75');
        expect(stdout).toMatch(/regulator\s+tl_/);
        // The run suffix has one-second resolution; the second run must not collide with the first.
        await new Promise((done) => setTimeout(done, 1100));
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
