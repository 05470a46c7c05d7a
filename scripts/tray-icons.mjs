// The tray icons in resources/ are drawn from their SVGs there; run this after changing one.
//   node scripts/tray-icons.mjs      writes NAME.png (16 px) and NAME@2x.png (32 px) beside each NAME.svg
// Electron's nativeImage reads PNG but not SVG, and picks the @2x file itself on a high-density screen.
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const resources = fileURLToPath(new URL('../resources/', import.meta.url));
const browser = await chromium.launch({ executablePath: process.env.BERTH_CHROMIUM ?? '/usr/bin/chromium', args: ['--headless', '--no-sandbox', '--disable-gpu'] });
try {
  for (const name of readdirSync(resources).filter((file) => /^tray.*\.svg$/.test(file)).map((file) => file.slice(0, -4))) {
    const svg = readFileSync(join(resources, `${name}.svg`), 'utf8');
    for (const scale of [1, 2]) {
      const page = await browser.newPage({ viewport: { width: 16, height: 16 }, deviceScaleFactor: scale });
      await page.setContent(`<body style="margin:0">${svg}</body>`);
      const png = await page.locator('svg').screenshot({ omitBackground: true });
      writeFileSync(join(resources, `${name}${scale === 2 ? '@2x' : ''}.png`), png);
      await page.close();
    }
  }
} finally {
  await browser.close();
}
