import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import type { Browser, Page } from 'playwright-core';
import { ADMIN_TOKEN, LedgerHarness } from './ledger-harness';
import { chromiumMissing as missing, launchChromium } from './chromium';

/**
 * What the explorer's browser suites share (ADR 0030): Debian's Chromium, headless, against the built
 * server on a temp store the demo seeded. Where /usr/bin/chromium is absent a suite is reported skipped,
 * with the reason and the install command, never silently.
 */
const CLI_MAIN = resolve(__dirname, '../../dist/apps/cli/apps/cli/src/main.js');

export const chromiumMissing: string | undefined = missing();

/** `describe`, or `describe.skip` with the reason in its title and on stderr, where Chromium is absent. */
export function describeInChromium(title: string, body: () => void): void {
  if (chromiumMissing === undefined) return describe(title, body);
  // Straight to stderr: Jest does not print console output of a test file whose tests were all skipped.
  process.stderr.write(`\nSkipping ${title}: ${chromiumMissing}\n`);
  describe.skip(`${title} — skipped: ${chromiumMissing}`, body);
}

/** The seeded ledger, its demo keys and ids, and a page in Chromium. */
export interface Explorer {
  readonly dir: string;
  readonly ledger: LedgerHarness;
  readonly browser: Browser;
  readonly page: Page;
  /** The demo's keys, as it printed them: auditor, regulator, mine, processor, maker, certifier. */
  readonly keys: Readonly<Record<string, string>>;
  /** The demo's ids (with its run suffix): magnets, concentrate, processor (org), gebeng (facility). */
  readonly ids: Readonly<Record<string, string>>;
  readonly stdout: string;
}

export async function startExplorer(): Promise<Explorer> {
  const dir = mkdtempSync(join(tmpdir(), 'tracelode-browser-'));
  const store = {
    TRACELODE_STORE: `sqlite:${join(dir, 'ledger.db')}`,
    TRACELODE_VIEWS: join(dir, 'views.db'),
  };
  const { stdout } = await promisify(execFile)(process.execPath, [CLI_MAIN, 'demo'], {
    env: { ...process.env, ...store, TRACELODE_ADMIN_TOKEN: ADMIN_TOKEN },
  });
  const key = (pattern: RegExp) => pattern.exec(stdout)?.[1] ?? '';
  const keys = {
    auditor: key(/auditor\s+(tl_\S+)/),
    regulator: key(/regulator\s+(tl_\S+)/),
    certifier: key(/certifier\s+(tl_\S+)/),
    mine: key(/producer\s+\(Mount Weld\)\s+(tl_\S+)/),
    processor: key(/producer\s+\(Gebeng\)\s+(tl_\S+)/),
    maker: key(/producer\s+\(magnet maker\)\s+(tl_\S+)/),
  };
  const ids = {
    magnets: /HM-MAG-001-\d+/.exec(stdout)?.[0] ?? '',
    concentrate: /MW-CONC-001-\d+/.exec(stdout)?.[0] ?? '',
    processor: /kuantan-processing-\d+/.exec(stdout)?.[0] ?? '',
    gebeng: 'gebeng',
  };
  const ledger = await LedgerHarness.start({ ...store, TRACELODE_CHECKPOINT_SECONDS: '1' });
  // The header shows the latest signed checkpoint: wait for the first one.
  for (
    let tries = 0;
    tries < 100 && (await ledger.get('/log/checkpoint', keys.auditor)).status !== 200;
    tries++
  )
    await new Promise((done) => setTimeout(done, 200));
  const browser = await launchChromium();
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 }, timezoneId: 'UTC' });
  return { dir, ledger, browser, page, keys, ids, stdout };
}

export async function stopExplorer(explorer: Explorer | undefined): Promise<void> {
  await explorer?.browser.close();
  await explorer?.ledger.stop();
  if (explorer?.dir) rmSync(explorer.dir, { recursive: true, force: true });
}

/**
 * Signs in afresh: signed out before the app starts (while a kept key's /whoami is in flight the app
 * shows the sign-in form, so looking for "Sign out" at once races with it).
 */
export async function signIn(explorer: Explorer, key: string): Promise<void> {
  const { page, ledger } = explorer;
  await page.goto(`${ledger.baseUrl}/`);
  await page.evaluate("sessionStorage.removeItem('tracelode.apiKey')");
  await page.reload();
  await page.fill('#api-key', key);
  await page.click('button:has-text("Sign in")');
  await page.waitForSelector('[data-testid=organisation]');
}

/** A GET that must answer 200. */
export async function read<T>(explorer: Explorer, path: string, key: string): Promise<T> {
  const reply = await explorer.ledger.get<T>(path, key);
  if (reply.status !== 200) throw new Error(`${path}: ${reply.status} ${JSON.stringify(reply.body)}`);
  return reply.body;
}

/** A `datetime-local` value (UTC, the page's time zone) `minutesAgo` before now. */
export const localTime = (minutesAgo: number): string =>
  new Date(Date.now() - minutesAgo * 60_000).toISOString().slice(0, 19);

export const screenshotsDir = (): string => {
  const dir =
    process.env.TRACELODE_UPDATE_SCREENSHOTS === '1'
      ? resolve(__dirname, '../../docs/screenshots')
      : join(tmpdir(), 'tracelode-explorer-screenshots');
  mkdirSync(dir, { recursive: true });
  return dir;
};
