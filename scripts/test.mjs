// `npm test`: installs what a fresh machine lacks, builds, then runs every suite (the engine suites against real
// VMs, and beside them the unit and UI suites) and ends with one line: `N passed, N failed`.
import { execFileSync, spawn } from 'node:child_process';
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
// Built once up front (a no-op when cached), so its time is not charged to the first test. The arm64 guest's
// is built by its own suite (e2e/engine/arm64.test.ts), beside the others.
node([join(root, 'bin', 'berth.mjs'), 'image', 'build', '--arch', 'amd64']);

const results = join(root, 'test-results');
mkdirSync(results, { recursive: true });

/**
 * One `vitest run` with its JSON report at test-results/NAME.json. `quiet` keeps its output until it ends and
 * prints it whole then, so that it does not interleave with a run beside it.
 */
function vitest(name, args, quiet = false) {
  const child = spawn(
    process.execPath,
    [join(root, 'node_modules', 'vitest', 'vitest.mjs'), 'run', '--reporter=default', '--reporter=json', `--outputFile.json=${join(results, `${name}.json`)}`, ...args],
    { cwd: root, stdio: quiet ? ['ignore', 'pipe', 'pipe'] : 'inherit' },
  );
  let output = '';
  child.stdout?.on('data', (data) => (output += data));
  child.stderr?.on('data', (data) => (output += data));
  return new Promise((resolve) =>
    child.on('close', (code) => {
      if (quiet) process.stdout.write(output);
      resolve({ name, code });
    }),
  );
}

const asked = process.argv.slice(2);
// The files on the shared VM run one at a time, mostly waiting on the guest. Beside them, in a second vitest, run
// the unit and UI suites (no VM) and then the files that boot VMs of their own. Arguments (files, projects) make one run.
const runs = await Promise.all(
  asked.length > 0
    ? [vitest('vitest', asked)]
    : [vitest('engine', ['--project', 'e2e']), vitest('apart', ['--project', 'unit', '--project', 'ui', '--project', 'own-vm'], true)],
);

let passed = 0;
let failed = 0;
for (const run of runs) {
  const report = join(results, `${run.name}.json`);
  try {
    const result = JSON.parse(readFileSync(report, 'utf8'));
    passed += result.numPassedTests;
    failed += result.numFailedTests;
    // A suite that broke before its tests ran (a failed global setup, say) still counts as a failure.
    if ((!result.success || run.code !== 0) && result.numFailedTests === 0) failed += 1;
  } catch {
    console.error(`no test report at ${report}`);
    failed += 1;
  }
}
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
