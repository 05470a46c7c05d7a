import { _electron, type Locator, type Page } from 'playwright-core';
import { electronBinary } from '../../scripts/electron-binary.mjs';
import { repoRoot, type Instance } from './berth';
import { launchChromium, type Chromium } from './browser';
import { startServe, type Served } from './serve';
import { drivenWindow } from './window';

/** The dashboard as a test drives it: a page showing Berth's UI for one instance. */
export interface Dashboard {
  page: Page;
  /** The `berth serve` behind a browser-mode page; null in the Electron window. */
  served: Served | null;
  /** Errors the page threw or logged, for a failing test to show what went wrong inside the page. */
  errors: string[];
  /** Loads the UI afresh at `hash` (as `#/images`). */
  goto(hash: string): Promise<void>;
  close(): Promise<void>;
}

async function openInBrowser(instance: Instance): Promise<Dashboard> {
  const served = await startServe(instance);
  let chromium: Chromium | null = null;
  const close = async (): Promise<void> => {
    await chromium?.close();
    await served.stop();
  };
  try {
    chromium = await launchChromium();
    const page = await chromium.newPage();
    const goto = async (hash: string): Promise<void> => {
      await page.goto(`${served.url}${hash}`);
    };
    return { page, served, goto, close, errors: [] };
  } catch (error) {
    await close();
    throw error;
  }
}

async function openInElectron(instance: Instance): Promise<Dashboard> {
  const binary = electronBinary(repoRoot);
  if (!binary) throw new Error('No Electron binary in node_modules/electron: run `npm start` once to fetch it.');
  const env = { ...process.env, ...instance.env };
  delete env.ELECTRON_RUN_AS_NODE;
  // Chromium refuses to run as root with its process sandbox; the window's own sandbox stays on.
  const args = [repoRoot, ...(process.getuid?.() === 0 ? ['--no-sandbox'] : [])];
  const app = await _electron.launch({ executablePath: binary, args, env: env as Record<string, string> });
  try {
    const page = await app.firstWindow();
    const goto = async (hash: string): Promise<void> => {
      await page.evaluate((to) => {
        location.hash = to;
      }, hash);
      await page.reload();
    };
    return { page, served: null, goto, close: () => app.close(), errors: [] };
  } catch (error) {
    await app.close();
    throw error;
  }
}

/** Opens the UI of `instance` at `hash` in the driven window and resolves once `ready` (a locator on the page) shows. */
export async function openDashboard(instance: Instance, hash: string, ready: (page: Page) => Locator): Promise<Dashboard> {
  const opened = drivenWindow() === 'electron' ? await openInElectron(instance) : await openInBrowser(instance);
  opened.page.on('pageerror', (error) => opened.errors.push(error.stack ?? error.message));
  opened.page.on('console', (message) => {
    if (message.type() === 'error') opened.errors.push(message.text());
  });
  try {
    await opened.goto(hash);
    await ready(opened.page).waitFor({ timeout: 20_000 });
    return opened;
  } catch (error) {
    await opened.close();
    throw error;
  }
}
