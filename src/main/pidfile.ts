import { readFileSync } from 'node:fs';

/** The pid a pid file names, or null when there is none. */
export function readPid(path: string): number | null {
  try {
    return Number(readFileSync(path, 'utf8').trim()) || null;
  } catch {
    return null;
  }
}

/** Whether `pid` runs. A zombie does not: it has ended, and waits for a parent (or an init that may never reap it). */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  if (process.platform !== 'linux') return true;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
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
