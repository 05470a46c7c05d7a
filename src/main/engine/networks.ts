import type Docker from 'dockerode';
import { BUILT_IN_NETWORKS, type NetworkSummary } from '../api/networks';
import { BerthError, toWire, type WireError } from '../api/errors';
import { refusal, settleEach } from './client';
import { containerName } from './containers';

export async function listNetworks(docker: Docker): Promise<NetworkSummary[]> {
  // The engine's network list leaves out who is attached: each container's list entry names its networks.
  const [networks, containers] = await Promise.all([docker.listNetworks(), docker.listContainers({ all: true })]);
  const attached = new Map<string, string[]>();
  for (const container of containers) {
    for (const network of Object.keys(container.NetworkSettings?.Networks ?? {})) {
      attached.set(network, [...(attached.get(network) ?? []), containerName(container)]);
    }
  }
  return networks
    .map((network) => ({
      id: network.Id,
      name: network.Name,
      driver: network.Driver,
      scope: network.Scope,
      subnets: (network.IPAM?.Config ?? []).flatMap((config) => (config.Subnet ? [config.Subnet] : [])),
      containers: (attached.get(network.Name) ?? []).sort(),
      created: network.Created || null,
      builtIn: BUILT_IN_NETWORKS.includes(network.Name),
    }))
    .sort((a, b) => a.name.localeCompare(b.name));
}

export async function createNetwork(docker: Docker, request: { name: string; driver: string; subnet?: string }): Promise<{ id: string; name: string }> {
  try {
    const network = await docker.createNetwork({
      Name: request.name,
      Driver: request.driver,
      ...(request.subnet ? { IPAM: { Driver: 'default', Config: [{ Subnet: request.subnet }] } } : {}),
    });
    return { id: network.id, name: request.name };
  } catch (error) {
    throw createError(request.name, error);
  }
}

function createError(name: string, error: unknown): unknown {
  const { status, said } = refusal(error);
  if (status === 409) {
    return new BerthError('NetworkExists', `A network named ${name} already exists.`, 'Choose another name, or use the network that has it.');
  }
  if (/overlap/i.test(said)) {
    return new BerthError('SubnetTaken', `Cannot create network ${name}: ${said}`, 'Choose a subnet no other network uses (Inspect shows each network’s), or leave it empty.');
  }
  if (status !== null) {
    return new BerthError('EngineRefused', `Cannot create network ${name}: ${said}`, 'The engine refused; its message above says why.');
  }
  return error;
}

const noSuchNetwork = (name: string): WireError => ({
  name: 'NoSuchNetwork',
  message: `There is no network ${name}.`,
  hint: 'It may have been removed meanwhile; the list shows what exists now.',
});

function removeError(name: string, error: unknown): WireError {
  const { status, said } = refusal(error);
  if (BUILT_IN_NETWORKS.includes(name)) {
    return {
      name: 'BuiltInNetwork',
      message: `${name} is one of the engine’s built-in networks (bridge, host, none); they cannot be removed.`,
      hint: 'Leave it: containers use it when they name no network. Only networks you created can be removed.',
    };
  }
  if (status === 403 || /active endpoints/i.test(said)) {
    return { name: 'NetworkInUse', message: `Cannot remove network ${name}: ${said}`, hint: 'Stop or remove the containers attached to it first (they are listed beside it).' };
  }
  return status === 404 ? noSuchNetwork(name) : toWire(error);
}

/** Removes each network; the built-in ones are refused without asking the engine, which would refuse too. */
export async function removeNetworks(docker: Docker, names: string[]): Promise<{ name: string; error: WireError | null }[]> {
  const results = await settleEach(
    names,
    (name) => (BUILT_IN_NETWORKS.includes(name) ? Promise.reject(new Error('built in')) : docker.getNetwork(name).remove()),
    removeError,
  );
  return results.map(({ item, error }) => ({ name: item, error }));
}

export async function inspectNetwork(docker: Docker, name: string): Promise<Record<string, unknown>> {
  try {
    return (await docker.getNetwork(name).inspect()) as unknown as Record<string, unknown>;
  } catch (error) {
    throw refusal(error).status === 404 ? BerthError.fromWire(noSuchNetwork(name)) : error;
  }
}
