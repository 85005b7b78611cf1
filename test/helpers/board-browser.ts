// Headless Chromium on the board, for the browser tests: Debian's Chromium driven by
// playwright-core, every page watched for script errors and CSP violations.
import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { KEYS, type KeyName } from './service';

const CHROMIUM = '/usr/bin/chromium';
/** Where the browser tests save their screenshots. */
export const RESULTS = path.resolve(__dirname, '..', '..', 'test-results');

export class BoardBrowser {
  /** Script errors and CSP violations on any page: a page that throws or breaks its CSP fails the suite. */
  readonly problems: string[] = [];
  private readonly contexts: BrowserContext[] = [];

  private constructor(private readonly browser: Browser) {}

  static async launch(): Promise<BoardBrowser> {
    if (!existsSync(CHROMIUM)) {
      throw new Error(`The board's browser tests drive Debian's Chromium at ${CHROMIUM}, which is missing: apt-get install -y chromium`);
    }
    mkdirSync(RESULTS, { recursive: true });
    return new BoardBrowser(await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] }));
  }

  /** A page in a context of its own (its own sessionStorage: its own sign-in). */
  async page(options: Parameters<Browser['newContext']>[0] = {}): Promise<Page> {
    const context = await this.browser.newContext(options);
    this.contexts.push(context);
    const page = await context.newPage();
    page.on('pageerror', (error) => this.problems.push(`pageerror: ${error.message}`));
    page.on('console', (message) => {
      if (/Content.Security.Policy/i.test(message.text())) this.problems.push(`csp: ${message.text()}`);
    });
    return page;
  }

  async close(): Promise<void> {
    for (const context of this.contexts) await context.close().catch(() => undefined);
    await this.browser.close();
  }
}

/** Opens the board at `url` (refreshing every `refreshMs`) with `hash`, and signs in with `as`'s key. */
export async function signIn(page: Page, url: string, as: KeyName, hash = '', refreshMs = 300): Promise<void> {
  await page.goto(`${url}/?refresh=${refreshMs}${hash}`);
  await page.fill('#api-key', KEYS[as].token);
  await page.click('#signin-form button[type=submit]');
  await page.waitForSelector('#workspace:not([hidden])');
}
