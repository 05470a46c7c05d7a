import type Docker from 'dockerode';
import type { ContainerAction, ContainerSummary, PublishedPort } from '../api/containers';
import { BerthError, toWire, type WireError } from '../api/errors';
import { refusal, settleEach } from './client';

const PROJECT_LABEL = 'com.docker.compose.project';

/** A container's name as the CLI shows it (the API's first name, without its leading slash). */
export function containerName(info: Docker.ContainerInfo): string {
  return (info.Names?.[0] ?? info.Id.slice(0, 12)).replace(/^\//, '');
}

/** The row a list shows for one container, from the Engine API's list entry. */
export function summarize(info: Docker.ContainerInfo): ContainerSummary {
  const ports: PublishedPort[] = (info.Ports ?? []).map((port) => ({
    hostIp: port.IP ?? null,
    hostPort: port.PublicPort ?? null,
    containerPort: port.PrivatePort,
    protocol: port.Type,
  }));
  return {
    id: info.Id,
    name: containerName(info),
    image: info.Image,
    command: info.Command ?? '',
    state: info.State,
    status: info.Status,
    created: info.Created,
    project: info.Labels?.[PROJECT_LABEL] ?? null,
    ports,
    // Not in the list entry: read from the container's inspect (PostureBook).
    findings: null,
  };
}

export async function listContainers(docker: Docker): Promise<ContainerSummary[]> {
  return (await docker.listContainers({ all: true })).map(summarize);
}

/** One container's row, or null when it no longer exists. */
export async function findContainer(docker: Docker, id: string): Promise<ContainerSummary | null> {
  const [info] = await docker.listContainers({ all: true, filters: { id: [id] } });
  return info ? summarize(info) : null;
}

export function noSuchContainer(id: string): BerthError {
  return new BerthError('NoSuchContainer', `There is no container ${id}.`, 'It may have been removed meanwhile; the list shows what exists now.');
}

/** The engine's whole inspect answer for one container. */
export async function inspectContainer(docker: Docker, id: string): Promise<Docker.ContainerInspectInfo> {
  try {
    return await docker.getContainer(id).inspect();
  } catch (error) {
    if (refusal(error).status === 404) throw noSuchContainer(id);
    throw error;
  }
}

/** Inspects a container that must be running for what comes next (a shell, live stats); else says what to do about it. */
export async function requireRunning(docker: Docker, id: string, toDo: string): Promise<Docker.ContainerInspectInfo> {
  const info = await inspectContainer(docker, id);
  const name = info.Name.replace(/^\//, '');
  if (info.State.Paused) {
    throw new BerthError('ContainerPaused', `${name} is paused.`, `Unpause it to ${toDo}.`);
  }
  if (!info.State.Running) {
    throw new BerthError('ContainerNotRunning', `${name} is not running (${info.State.Status}).`, `Start it to ${toDo}; this tab reconnects when it runs.`);
  }
  return info;
}

/** The Engine API's refusal, said the way a user can act on it. */
export function actionError(action: ContainerAction, id: string, error: unknown): WireError {
  const { status, said } = refusal(error);
  if (status === 404) return toWire(noSuchContainer(id));
  if (status === 409 && action === 'remove') {
    return { name: 'ContainerRunning', message: `Cannot remove ${id}: ${said}`, hint: 'Stop or kill it first, then remove it.' };
  }
  if (status === 409 || status === 304) {
    return { name: 'ContainerConflict', message: `Cannot ${action} ${id}: ${said}`, hint: 'Its state changed meanwhile; check the list and try again.' };
  }
  if (status !== null) {
    return { name: 'EngineRefused', message: `Cannot ${action} ${id}: ${said}`, hint: 'The engine refused; its message above says why.' };
  }
  return toWire(error);
}

/** Each action is the Engine API call of the same name on the container. */
function applyAction(container: Docker.Container, action: ContainerAction): Promise<unknown> {
  const calls: Record<ContainerAction, () => Promise<unknown>> = {
    start: () => container.start(),
    stop: () => container.stop(),
    restart: () => container.restart(),
    pause: () => container.pause(),
    unpause: () => container.unpause(),
    kill: () => container.kill(),
    remove: () => container.remove(),
  };
  return calls[action]();
}

/** Runs one action on each container, all at once; each result says whether it worked and, if not, why. */
export async function actOnContainers(docker: Docker, ids: string[], action: ContainerAction): Promise<{ id: string; error: WireError | null }[]> {
  const results = await settleEach(ids, (id) => applyAction(docker.getContainer(id), action), (id, error) => actionError(action, id, error));
  return results.map(({ item, error }) => ({ id: item, error }));
}
