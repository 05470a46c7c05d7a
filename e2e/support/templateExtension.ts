// The UI of an extension made from Docker's template (`docker extension init`), built the way its Vite build
// does it: templateExtensionPage.tsx and the npm packages the template pins, bundled into one ES module under
// assets/, loaded by an index.html with a #root.
import { join } from 'node:path';
import { build } from 'esbuild';
import { repoRoot } from './berth';
import type { FileSpec } from './extensionImages';

const ENTRY = join(repoRoot, 'e2e', 'support', 'templateExtensionPage.tsx');

/** The page's files under `root` in the image (as `/ui`), for an ExtensionImageSpec. */
export async function templateUiFiles(title: string, root = '/ui'): Promise<Record<string, FileSpec>> {
  const bundled = await build({
    entryPoints: [ENTRY],
    bundle: true,
    format: 'esm',
    jsx: 'automatic',
    minify: true,
    target: 'es2020',
    define: { 'process.env.NODE_ENV': '"production"' },
    write: false,
    outfile: 'index.js',
    logLevel: 'silent',
  });
  const html = [
    '<!DOCTYPE html>',
    '<html lang="en">',
    '  <head>',
    '    <meta charset="UTF-8" />',
    '    <meta name="viewport" content="width=device-width, initial-scale=1.0" />',
    `    <title>${title}</title>`,
    '    <script type="module" crossorigin src="./assets/index.js"></script>',
    '  </head>',
    '  <body>',
    '    <div id="root"></div>',
    '  </body>',
    '</html>',
    '',
  ].join('\n');
  return { [`${root}/index.html`]: html, [`${root}/assets/index.js`]: Buffer.from(bundled.outputFiles[0]!.contents) };
}
