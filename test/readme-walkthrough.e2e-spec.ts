import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { ADMIN_TOKEN, LedgerHarness } from './support/ledger-harness';

/** The README's copy-paste walk-through, run as written against a real ledger. */
describe('README walk-through', () => {
  let ledger: LedgerHarness;
  beforeAll(async () => (ledger = await LedgerHarness.start()));
  afterAll(() => ledger.stop());

  it('works as written', async () => {
    const readme = readFileSync(join(__dirname, '..', 'README.md'), 'utf8');
    const block = /<!-- walkthrough:start -->\s*```bash\n([\s\S]*?)```\s*<!-- walkthrough:end -->/.exec(
      readme,
    )?.[1];
    expect(block).toBeDefined();
    const { stdout } = await promisify(execFile)('bash', ['-euo', 'pipefail', '-c', block ?? ''], {
      env: { ...process.env, TRACELODE_URL: ledger.baseUrl, TRACELODE_ADMIN_TOKEN: ADMIN_TOKEN },
    });
    const lines = stdout.trim().split('\n');
    const view = JSON.parse(lines.at(-2) ?? '{}') as Record<string, unknown>;
    expect(view).toMatchObject({
      status: 'in_custody',
      custodian: { facilityId: 'gebeng' },
      massKg: 25000.5,
      remainingMassKg: 24990.25,
    });
    expect(view.timeline).toHaveLength(3);
    const events = JSON.parse(lines.at(-1) ?? '[]') as { type: string }[];
    expect(events.map((event) => event.type)).toEqual(['BatchMined', 'BatchShipped', 'BatchReceived']);
  });
});
