import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { buildChainLedger, CHAIN_LOT, CHAIN_READER_KEY } from '../../apps/cli/src/commands/bench-provenance';
import { LedgerHarness } from '../support/ledger-harness';
import { chromiumMissing, launchChromium } from '../support/chromium';

/**
 * The explorer's provenance graph on a lot with 1,110 ancestors (1,000 mined lots → 100 concentrates → 10
 * oxides → the magnets; the chain the provenance bench reads), in Debian's Chromium, headless: one request
 * for the whole graph, crowded stages collapsed into expandable clusters, keyboard-reachable labelled
 * controls, certification gaps marked in text as well as colour, descendants on demand. How long the graph
 * takes is printed, not asserted (the budget is measured by `npm run bench -- --only explorer`).
 */
const skipReason = chromiumMissing();
if (skipReason !== undefined)
  process.stderr.write(`\nSkipping the explorer's graph browser suite: ${skipReason}\n`);

interface ApiGraph {
  nodes: { batchId: string; depth: number; certification: { covered: boolean }[] | null }[];
  edges: { from: string; to: string }[];
}

(skipReason === undefined ? describe : describe.skip)(
  `the explorer's provenance graph of a 1,110-ancestor lot${skipReason === undefined ? '' : ` — skipped: ${skipReason}`}`,
  () => {
    let dir: string;
    let ledger: LedgerHarness;
    let browser: Browser;
    let page: Page;
    let requests: string[] = [];

    const attributes = async (selector: string, name: string) =>
      Promise.all((await page.locator(selector).all()).map((element) => element.getAttribute(name)));
    const open = async (batchId: string) => {
      requests = [];
      await page.goto(`${ledger.baseUrl}/#/batches/${batchId}`);
      await page.waitForSelector('[data-testid=graph-ancestors] [data-testid=graph-node]');
    };

    beforeAll(async () => {
      dir = mkdtempSync(join(tmpdir(), 'tracelode-graph-browser-'));
      await buildChainLedger(join(dir, 'ledger.db'), 0, () => undefined);
      ledger = await LedgerHarness.start({
        TRACELODE_STORE: `sqlite:${join(dir, 'ledger.db')}`,
        TRACELODE_VIEWS: join(dir, 'views.db'),
      });
      // A certifier certifies one mined lot: every other batch of the chain has a gap.
      const certifier = await ledger.organisation('irma', 'DE', ['certifier']);
      const certified = await ledger.post<{ position: string }>('/certificates', certifier, {
        certificateId: 'C-ORE-0',
        scheme: 'IRMA',
        subject: { type: 'batch', id: 'ORE-0' },
        validFrom: '2025-01-01T00:00:00Z',
        validUntil: '2027-01-01T00:00:00Z',
        evidence: { sha256: 'a'.repeat(64), uri: 'https://audits.example/ore-0.pdf' },
        occurredAt: '2025-01-01T00:00:00Z',
      });
      if (certified.status !== 201) throw new Error(JSON.stringify(certified.body));
      await ledger.get(`/batches/${CHAIN_LOT}?minPosition=${certified.body.position}`, CHAIN_READER_KEY);
      browser = await launchChromium();
      page = await browser.newPage({ viewport: { width: 1280, height: 900 }, timezoneId: 'UTC' });
      page.on('request', (request) => requests.push(new URL(request.url()).pathname));
      await page.goto(`${ledger.baseUrl}/`);
      await page.fill('#api-key', CHAIN_READER_KEY);
      await page.click('button:has-text("Sign in")');
      await page.waitForSelector('[data-testid=organisation]');
    }, 300_000);

    afterAll(async () => {
      await browser?.close();
      await ledger?.stop();
      if (dir) rmSync(dir, { recursive: true, force: true });
    });

    it('draws the whole graph from one request, its crowded stages as clusters of the API’s batches', async () => {
      const started = Date.now();
      await open(CHAIN_LOT);
      process.stderr.write(
        `\nexplorer: the 1,110-ancestor lot's graph showed ${Date.now() - started} ms after navigation\n`,
      );
      const graphRequests = requests.filter((path) => path.includes('/provenance'));
      // The lot's own provenance (the origin charts) and the graph: no request per ancestor.
      expect(graphRequests.sort()).toEqual([
        `/batches/${CHAIN_LOT}/provenance`,
        `/batches/${CHAIN_LOT}/provenance/graph`,
      ]);
      const api = await ledger.get<ApiGraph>(`/batches/${CHAIN_LOT}/provenance/graph`, CHAIN_READER_KEY);
      expect(api.body.nodes).toHaveLength(1111);
      const clusters = '[data-testid=graph-ancestors] [data-testid=graph-cluster]';
      const counts = await attributes(clusters, 'data-count');
      expect(
        (await attributes(clusters, 'data-cluster')).map((cluster, index) => [cluster, counts[index]]).sort(),
      ).toEqual([
        ['stage:0', '1000'],
        ['stage:1', '100'],
      ]);
      const shown = await attributes(
        '[data-testid=graph-ancestors] [data-testid=graph-node]',
        'data-batch-id',
      );
      expect(shown.sort()).toEqual(
        api.body.nodes
          .filter((node) => node.depth >= 2)
          .map((node) => node.batchId)
          .sort(),
      );
      // Each cluster's gap count is the API's: batches of its stage with an uncovered step.
      for (const stage of [0, 1]) {
        const gaps = api.body.nodes.filter(
          (node) => node.depth === stage && node.certification!.some((scheme) => !scheme.covered),
        ).length;
        expect(Number(await page.getAttribute(`[data-cluster="stage:${stage}"]`, 'data-gaps'))).toBe(gaps);
      }
      expect(Number(await page.getAttribute('[data-cluster="stage:0"]', 'data-gaps'))).toBeGreaterThan(0);
    });

    it('marks certification gaps in words, not only by colour', async () => {
      await open(CHAIN_LOT);
      const gaps = await page.getAttribute('[data-cluster="stage:0"]', 'data-gaps');
      expect(await page.textContent('[data-cluster="stage:0"] [data-testid=graph-mark]')).toBe(
        `⚠ ${Number(gaps).toLocaleString('en')} with certification gaps`,
      );
      const lot = page.locator(`[data-testid=graph-node][data-batch-id=${CHAIN_LOT}]`);
      expect(await lot.getAttribute('data-gap')).toBe('true');
      expect(await lot.locator('[data-testid=graph-mark]').textContent()).toMatch(/^⚠ gap: IRMA/);
      expect(await lot.locator('rect').getAttribute('stroke-dasharray')).toBe('5 3');
      // The link is named by what it shows, the gap in words included (as a screen reader reads it).
      expect(await lot.getByRole('link', { name: /⚠ gap: IRMA/ }).count()).toBe(1);
    });

    it('expands a stage and a group from the keyboard; pans and zooms with labelled controls', async () => {
      await open(CHAIN_LOT);
      const graph = '[data-testid=graph-ancestors]';
      await page.focus('[data-cluster="stage:1"]');
      expect(await page.evaluate("document.activeElement?.getAttribute('aria-label')")).toMatch(
        /^Expand stage 1: Stage 1: 100 batches/,
      );
      await page.keyboard.press('Enter');
      // A crowded stage opens as its batches grouped by what they fed: ten oxides, ten groups of ten.
      await page.waitForSelector(`${graph} [data-cluster^="group:1:"]`);
      const groups = page.locator(`${graph} [data-cluster^="group:1:"]`);
      expect(await groups.count()).toBe(10);
      expect(await page.getAttribute(`${graph} [data-cluster="group:1:OX-3"]`, 'data-count')).toBe('10');
      await page.focus(`${graph} [data-cluster="group:1:OX-3"]`);
      await page.keyboard.press('Enter');
      await page.waitForSelector(`${graph} [data-testid=graph-node][data-batch-id=CONC-30]`);
      expect(await page.locator(`${graph} [data-testid=graph-node][data-batch-id^=CONC-]`).count()).toBe(10);
      // Every control has a name, and Tab reaches it.
      for (const name of ['Zoom in', 'Zoom out', 'Fit', 'Pan left', 'Pan right', 'Pan up', 'Pan down'])
        expect(await page.getByRole('button', { name, exact: true }).first().isVisible()).toBe(true);
      const transform = () => page.getAttribute(`${graph} svg > g`, 'transform');
      const before = await transform();
      await page.getByRole('button', { name: 'Pan left', exact: true }).first().click();
      expect(await transform()).not.toBe(before);
      const panned = await transform();
      await page.focus(`${graph} svg`);
      await page.keyboard.press('+');
      expect(await transform()).not.toBe(panned);
      await page.getByLabel('collapse stage 1 (100)').first().check();
      await page.waitForSelector(`${graph} [data-cluster="stage:1"]`);
    });

    it('loads what a lot went into only when asked', async () => {
      await open('ORE-0');
      expect(requests.filter((path) => path.endsWith('/provenance/graph'))).toHaveLength(1);
      expect(await page.locator('[data-testid=graph-descendants]').count()).toBe(0);
      await page.click('button:has-text("Show what this lot went into")');
      await page.waitForSelector('[data-testid=graph-descendants] [data-testid=graph-node]');
      const ids = await attributes(
        '[data-testid=graph-descendants] [data-testid=graph-node]',
        'data-batch-id',
      );
      expect(ids.sort()).toEqual(['CONC-0', 'MAGNET', 'ORE-0', 'OX-0']);
      expect(requests.filter((path) => path.endsWith('/provenance/graph'))).toHaveLength(2);
    });
  },
);
