import { execFileSync } from 'node:child_process';
import { realpathSync } from 'node:fs';
import { importBusybox, type Instance, type Run } from './berth';

/** The host's docker CLI binary, by its real path. */
function hostDockerCli(): string {
  return realpathSync(execFileSync('sh', ['-c', 'command -v docker'], { encoding: 'utf8' }).trim());
}

/** The shared libraries a dynamically linked binary loads, as ldd lists them (none for a static one). */
function sharedLibraries(binary: string): string[] {
  const listed = execFileSync('sh', ['-c', `ldd '${binary}' 2>/dev/null || true`], { encoding: 'utf8' });
  return [...listed.matchAll(/(\/\S+\.so[^\s]*)/g)].map((match) => match[1]);
}

/**
 * Imports `tag`: busybox with the host's own docker CLI (and, when it is dynamically linked, the
 * libraries it loads), made offline, so a container can talk to an engine through a mounted socket.
 */
export function importDockerCliImage(instance: Instance, tag: string): Promise<Run> {
  const cli = hostDockerCli();
  const files: Record<string, string> = { '/bin/docker': cli };
  for (const library of sharedLibraries(cli)) files[library] = library;
  return importBusybox(instance, tag, { files });
}
