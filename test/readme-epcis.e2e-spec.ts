import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { epcisViolations } from '@tracelode/epcis';
import { ADMIN_TOKEN, LedgerHarness } from './support/ledger-harness';

const PUBLIC_URL = 'http://ledger.readme.test';

/**
 * The README's "EPCIS 2.0" capture and query example, run as written against a real ledger: the block
 * between `<!-- epcis:start -->` and `<!-- epcis:end -->`, given only the variables the README tells the
 * user to set (TRACELODE_URL, TRACELODE_ADMIN_TOKEN, TRACELODE_PUBLIC_URL).
 */
describe('README EPCIS 2.0 example', () => {
  let ledger: LedgerHarness;
  beforeAll(async () => (ledger = await LedgerHarness.start({ TRACELODE_PUBLIC_URL: PUBLIC_URL })));
  afterAll(() => ledger.stop());

  it('captures and queries as written', async () => {
    const readme = readFileSync(join(__dirname, '..', 'README.md'), 'utf8');
    const section = readme.slice(readme.indexOf('\n## EPCIS 2.0\n'));
    const block = /<!-- epcis:start -->\s*```bash\n([\s\S]*?)```\s*<!-- epcis:end -->/.exec(section)?.[1];
    expect(block).toBeDefined();
    const before = await ledger.eventCount();
    const { stdout } = await promisify(execFile)('bash', ['-euo', 'pipefail', '-c', block ?? ''], {
      env: {
        ...process.env,
        TRACELODE_URL: ledger.baseUrl,
        TRACELODE_ADMIN_TOKEN: ADMIN_TOKEN,
        TRACELODE_PUBLIC_URL: PUBLIC_URL,
      },
    });
    const [captured, job, answer] = stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(captured).toMatchObject({
      success: true,
      running: false,
      captureErrorBehaviour: 'rollback',
      errors: [],
      recorded: 1,
    });
    expect(job).toEqual(captured);
    expect(epcisViolations(answer)).toEqual([]);
    expect(answer).toMatchObject({ type: 'EPCISQueryDocument' });
    const events = (answer as { epcisBody: { queryResults: { resultsBody: { eventList: unknown[] } } } })
      .epcisBody.queryResults.resultsBody.eventList as Record<string, unknown>[];
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      type: 'ObjectEvent',
      action: 'ADD',
      bizStep: 'commissioning',
      eventTime: '2026-03-01T08:00:00+08:00',
      quantityList: [
        { epcClass: expect.stringMatching(`^${PUBLIC_URL}/batches/EP-\\d+$`), quantity: 25000.5, uom: 'KGM' },
      ],
    });
    // Registration (organisation, facility) and the capture (the mined lot and its capture record).
    expect(await ledger.eventCount()).toBeGreaterThan(before);
  });
});
