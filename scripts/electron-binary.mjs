// Where this checkout's Electron binary is, if it is really there: npm start opens the window with it,
// and the e2e suite drives that window when it exists.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** The binary electron's own index.js would name, or null when the download never happened or failed. */
export function electronBinary(root) {
  const electronDir = join(root, 'node_modules', 'electron');
  try {
    const binary = join(electronDir, 'dist', readFileSync(join(electronDir, 'path.txt'), 'utf8').trim());
    return existsSync(binary) ? binary : null;
  } catch {
    return null;
  }
}
