// The icons in resources/ are drawn from their SVGs there; run this after changing one.
//   node scripts/icons.mjs   writes, beside each trayNAME.svg, trayNAME.png (16 px) and trayNAME@2x.png (32 px),
//                            and beside icon.svg the app's icon, icon.png (1024 px), which the installers take
// Electron's nativeImage reads PNG but not SVG, and picks the @2x file itself on a high-density screen;
// electron-builder makes each platform's icon formats (icns, ico, the Linux sizes) from the one large PNG.
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const resources = fileURLToPath(new URL('../resources/', import.meta.url));
const browser = await chromium.launch({ executablePath: process.env.BERTH_CHROMIUM ?? '/usr/bin/chromium', args: ['--headless', '--no-sandbox', '--disable-gpu'] });

/** Draws resources/NAME.svg into OUT at `size` CSS pixels times `scale`, with a transparent background. */
async function draw(name, size, scale, out) {
  const svg = readFileSync(join(resources, `${name}.svg`), 'utf8');
  const page = await browser.newPage({ viewport: { width: size, height: size }, deviceScaleFactor: scale });
  await page.setContent(`<body style="margin:0">${svg}</body>`);
  writeFileSync(join(resources, out), await page.locator('svg').screenshot({ omitBackground: true }));
  await page.close();
}

try {
  for (const name of readdirSync(resources).filter((file) => /^tray.*\.svg$/.test(file)).map((file) => file.slice(0, -4))) {
    await draw(name, 16, 1, `${name}.png`);
    await draw(name, 16, 2, `${name}@2x.png`);
  }
  await draw('icon', 1024, 1, 'icon.png');
} finally {
  await browser.close();
}
