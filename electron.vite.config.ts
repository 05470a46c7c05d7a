import { resolve } from 'node:path';
import vue from '@vitejs/plugin-vue';
import { defineConfig } from 'electron-vite';
import type { Plugin } from 'vite';

/** The ddClient script the browser-mode server serves to extension pages (out/preload/ddclient.js). */
const ddClientPage = resolve(__dirname, 'src/extension-client/browserPage.ts');

/**
 * Makes one entry a classic script: its CommonJS build has nothing to import or export, and a function
 * around it keeps its top-level names out of the page's global scope.
 */
function classicScript(entry: string): Plugin {
  return {
    name: 'berth:classic-script',
    renderChunk(code, chunk) {
      if (chunk.facadeModuleId !== entry) return null;
      if (/\brequire\(|^\s*(import|export)\b|\bexports\./m.test(code)) throw new Error(`${entry} must bundle into a script that needs no module system.`);
      return { code: `(function () {\n${code}\n})();\n`, map: null };
    },
  };
}

export default defineConfig({
  main: {
    build: {
      outDir: 'out/main',
      rollupOptions: {
        input: {
          index: resolve(__dirname, 'src/main/index.ts'),
          cli: resolve(__dirname, 'src/main/cli/index.ts'),
        },
        // Shared chunks stay beside the entries: appRoot() finds the checkout from out/main/.
        output: { format: 'es', entryFileNames: '[name].js', chunkFileNames: '[name]-[hash].js' },
      },
    },
  },
  preload: {
    plugins: [classicScript(ddClientPage)],
    build: {
      outDir: 'out/preload',
      // Sandboxed preloads cannot require a shared chunk, and the page script cannot require at all: every entry stands alone.
      isolatedEntries: true,
      rollupOptions: {
        input: {
          index: resolve(__dirname, 'src/preload/index.ts'),
          extension: resolve(__dirname, 'src/preload/extension.ts'),
          ddclient: ddClientPage,
        },
        output: { format: 'cjs', entryFileNames: (chunk) => (chunk.name === 'ddclient' ? '[name].js' : '[name].cjs') },
      },
    },
  },
  renderer: {
    root: 'src/renderer',
    plugins: [vue()],
    build: {
      outDir: 'out/renderer',
      rollupOptions: { input: { index: resolve(__dirname, 'src/renderer/index.html') } },
    },
  },
});
