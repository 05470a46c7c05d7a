import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { isAlive } from './pidfile';

describe.runIf(process.platform === 'linux')('isAlive', () => {
  it('counts a zombie as ended: a QEMU whose parent died is one until something reaps it', async () => {
    // The shell's background child ends at once; the shell has become `sleep`, which never reaps it.
    const parent = spawn('sh', ['-c', 'sleep 0.05 & echo $!; exec sleep 5'], { stdio: ['ignore', 'pipe', 'ignore'] });
    const pid = Number(await new Promise<string>((resolve) => parent.stdout.once('data', (chunk: Buffer) => resolve(chunk.toString()))));
    await new Promise((done) => setTimeout(done, 500));
    expect(() => process.kill(pid, 0)).not.toThrow();
    expect(isAlive(pid)).toBe(false);
    expect(isAlive(parent.pid!)).toBe(true);
    parent.kill('SIGKILL');
  });
});
