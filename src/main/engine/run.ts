import type Docker from 'dockerode';
import { BerthError } from '../api/errors';
import { parseCommand, parsedValue, parsePortMapping, type RunRequest } from '../api/run';
import { refusal } from './client';

/** The Engine API's create body for a request the contract has checked. */
export function createOptions(request: RunRequest): Docker.ContainerCreateOptions {
  const exposed: Record<string, object> = {};
  const bindings: Record<string, { HostIp: string; HostPort: string }[]> = {};
  for (const port of request.ports) {
    const { hostIp, hostPort, containerPort } = parsedValue(parsePortMapping(port));
    exposed[containerPort] = {};
    bindings[containerPort] = [...(bindings[containerPort] ?? []), { HostIp: hostIp, HostPort: hostPort }];
  }
  const command = request.command ? parsedValue(parseCommand(request.command)) : [];
  return {
    Image: request.image.trim(),
    ...(request.name ? { name: request.name.trim() } : {}),
    Env: request.env,
    ...(command.length ? { Cmd: command } : {}),
    ExposedPorts: exposed,
    HostConfig: { PortBindings: bindings, Binds: request.volumes.map((volume) => volume.trim()) },
  };
}

function runError(request: RunRequest, error: unknown, step: 'create' | 'start'): unknown {
  const { status, said } = refusal(error);
  const image = request.image.trim();
  if (step === 'create' && status === 404 && /image/i.test(said)) {
    return new BerthError('ImageNotFound', `The image ${image} is not on this engine: ${said}`, 'Pull it first, from the Images view or with `docker pull`, then run it again.');
  }
  if (step === 'create' && status === 409) {
    return new BerthError('NameInUse', `A container named ${request.name?.trim()} already exists.`, 'Choose another name, or remove that container first.');
  }
  if (status !== null) {
    const what = step === 'create' ? `Cannot create the container from ${image}` : `The container from ${image} did not start, so it was removed again`;
    return new BerthError('EngineRefused', `${what}: ${said}`, 'The engine refused; its message above says why. Correct that field and run again.');
  }
  return error;
}

/** As `docker run -d`: creates the container and starts it. One that cannot start is removed, so a failed run leaves nothing behind. */
export async function runContainer(docker: Docker, request: RunRequest): Promise<{ id: string; name: string }> {
  let container: Docker.Container;
  try {
    container = await docker.createContainer(createOptions(request));
  } catch (error) {
    throw runError(request, error, 'create');
  }
  try {
    await container.start();
  } catch (error) {
    await container.remove({ force: true, v: true }).catch(() => undefined);
    throw runError(request, error, 'start');
  }
  const info = await container.inspect();
  return { id: info.Id, name: info.Name.replace(/^\//, '') };
}
