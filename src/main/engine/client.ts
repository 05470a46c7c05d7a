import type Docker from 'dockerode';
import { BerthError, type WireError } from '../api/errors';

/**
 * The Docker Engine API, reached through Berth's host socket. dockerode is loaded here, not when the
 * daemon starts: the daemon is up sooner, and the start loads it while dockerd is still starting.
 */
export async function engineClient(socketPath: string): Promise<Docker> {
  const { default: Dockerode } = await import('dockerode');
  return new Dockerode({ socketPath });
}

/** Pings until the engine answers or `deadlineMs` passes; one answer is enough. */
export async function waitForEngine(docker: Docker, deadlineMs: number): Promise<void> {
  const until = Date.now() + deadlineMs;
  let lastError: unknown;
  while (Date.now() < until) {
    try {
      await docker.ping({ abortSignal: AbortSignal.timeout(Math.max(500, until - Date.now())) } as never);
      return;
    } catch (error) {
      lastError = error;
      await new Promise((done) => setTimeout(done, 50));
    }
  }
  throw lastError instanceof Error ? lastError : new Error('the Docker API did not answer');
}

export async function engineVersions(docker: Docker): Promise<Record<string, string>> {
  const version = await docker.version();
  const versions: Record<string, string> = { docker: version.Version, api: version.ApiVersion };
  for (const component of version.Components ?? []) {
    const name = component.Name.toLowerCase();
    if (name.includes('containerd')) versions.containerd = component.Version;
    if (name === 'runc') versions.runc = component.Version;
  }
  versions.kernel = version.KernelVersion ?? '';
  return versions;
}

export function engineNotRunning(): BerthError {
  return new BerthError('EngineNotRunning', 'The engine is not running.', 'Start it with the Start button in the footer, or `berth start`.');
}

/** What the Engine API said when it refused a call: its HTTP status (null when it never answered) and its own words. */
export function refusal(error: unknown): { status: number | null; said: string } {
  const api = error as { statusCode?: unknown; json?: { message?: string } | null; message?: string };
  return { status: typeof api.statusCode === 'number' ? api.statusCode : null, said: api.json?.message ?? api.message ?? String(error) };
}

/** Runs `act` on every item at once; each result holds the item and, when it failed, why, in the user's terms. */
export function settleEach(items: string[], act: (item: string) => Promise<unknown>, explain: (item: string, error: unknown) => WireError) {
  return Promise.all(
    items.map(async (item) => {
      try {
        await act(item);
        return { item, error: null };
      } catch (error) {
        return { item, error: explain(item, error) };
      }
    }),
  );
}
