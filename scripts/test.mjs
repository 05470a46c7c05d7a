// `npm test`: installs what a fresh machine lacks, builds, then runs every suite (unit, then the
// engine and UI suites against a real VM) and ends with one line: `N passed, N failed`.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ARM64_GUEST, ensureNodeModules, ensurePackages, IMAGE_BUILD, RUNTIME, TESTS } from './system-deps.mjs';
import { ensureForeignBusybox } from './test-images.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
ensurePackages(RUNTIME, IMAGE_BUILD, TESTS, ARM64_GUEST);
ensureNodeModules(root);
ensureForeignBusybox();

const node = (args) => execFileSync(process.execPath, args, { cwd: root, stdio: 'inherit' });
node([join(root, 'node_modules', 'electron-vite', 'bin', 'electron-vite.js'), 'build']);
// Built once up front (a no-op when cached), so its time is not charged to the first test; the arm64
// guest's for its own suite (e2e/engine/arm64.test.ts).
node([join(root, 'bin', 'berth.mjs'), 'image', 'build', '--arch', 'amd64']);
node([join(root, 'bin', 'berth.mjs'), 'image', 'build', '--arch', 'arm64']);

mkdirSync(join(root, 'test-results'), { recursive: true });
const report = join(root, 'test-results', 'vitest.json');
const run = spawnSync(
  process.execPath,
  [join(root, 'node_modules', 'vitest', 'vitest.mjs'), 'run', '--reporter=default', '--reporter=json', `--outputFile.json=${report}`, ...process.argv.slice(2)],
  { cwd: root, stdio: 'inherit' },
);

let passed = 0;
let failed = 0;
try {
  const results = JSON.parse(readFileSync(report, 'utf8'));
  passed = results.numPassedTests;
  failed = results.numFailedTests;
  // A suite that broke before its tests ran (a failed global setup, say) still counts as a failure.
  if (!results.success && failed === 0) failed = 1;
} catch {
  console.error(`no test report at ${report}`);
  failed = 1;
}
console.log(`${passed} passed, ${failed} failed`);
process.exit(run.status === 0 && failed === 0 ? 0 : 1);
