import Docker from 'dockerode';

/** The Docker Engine API, reached through Berth's host socket. */
export function engineClient(socketPath: string): Docker {
  return new Docker({ socketPath });
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
