import { existsSync } from 'node:fs';
import { type Browser, chromium } from 'playwright-core';

/** Debian's Chromium (`apt-get install -y chromium`): a test tool's own browser download fails here. */
export const CHROMIUM = '/usr/bin/chromium';

/** Why the browser cases cannot run here (Chromium absent, with the command that installs it), or undefined. */
export function chromiumMissing(): string | undefined {
  return existsSync(CHROMIUM)
    ? undefined
    : `${CHROMIUM} is absent — install it with: apt-get install -y chromium`;
}

/**
 * Headless Chromium as the bench and the browser suite drive it: no sandbox, GPU or background traffic.
 */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--no-first-run',
    ],
  });
}
