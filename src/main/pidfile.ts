import { readFileSync } from 'node:fs';

/** The pid a pid file names, or null when there is none. */
export function readPid(path: string): number | null {
  try {
    return Number(readFileSync(path, 'utf8').trim()) || null;
  } catch {
    return null;
  }
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Waits until `pid` has exited; false when it still runs after `timeoutMs`. */
export async function waitGone(pid: number, timeoutMs: number): Promise<boolean> {
  for (let waited = 0; isAlive(pid); waited += 50) {
    if (waited >= timeoutMs) return false;
    await new Promise((done) => setTimeout(done, 50));
  }
  return true;
}
