import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * A BERTH_QEMU that runs the real QEMU, but the first time a guest has mounted its root (a few seconds
 * after the boot handshake, so Berth has taken the accelerator) it resets that guest through QMP. With
 * -no-reboot that ends QEMU with status 0 mid-start, exactly as a guest kernel panic does. Later launches are the real QEMU, unchanged.
 */
export function qemuThatResetsOnce(): string {
  const dir = mkdtempSync(join(tmpdir(), 'bt-reset-'));
  const marker = join(dir, 'reset-done');
  const helper = join(dir, 'reset-once.cjs');
  writeFileSync(
    helper,
    `const { spawn } = require('node:child_process');
const net = require('node:net');
const { writeFileSync } = require('node:fs');
const args = process.argv.slice(2);
const qmp = args.find((arg) => arg.startsWith('socket,id=qmp,path=')).slice('socket,id=qmp,path='.length).split(',')[0];
const qemu = spawn('qemu-system-x86_64', args, { stdio: ['pipe', 'pipe', 'inherit'] });
process.stdin.pipe(qemu.stdin);
let seen = '';
let reset = false;
qemu.stdout.on('data', (chunk) => {
  process.stdout.write(chunk);
  seen += chunk.toString();
  if (reset || !seen.includes('berth: step root')) return;
  reset = true;
  writeFileSync(${JSON.stringify(marker)}, '');
  const socket = net.createConnection(qmp, () => {
    socket.write('{"execute":"qmp_capabilities"}\\n{"execute":"system_reset"}\\n');
  });
  socket.on('error', () => undefined);
});
qemu.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
`,
  );
  const wrapper = join(dir, 'qemu');
  writeFileSync(
    wrapper,
    // Only a tcg launch goes through the helper: a hardware probe that hangs is killed by Berth, and
    // killing the helper would leave its QEMU holding the pid file.
    `#!/bin/sh\ncase " $* " in *' -accel tcg'*) ;; *) exec qemu-system-x86_64 "$@" ;; esac\n` +
      `if [ -e '${marker}' ]; then exec qemu-system-x86_64 "$@"; fi\nexec '${process.execPath}' '${helper}' "$@"\n`,
  );
  chmodSync(wrapper, 0o755);
  return wrapper;
}
