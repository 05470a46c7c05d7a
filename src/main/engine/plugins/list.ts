import type Docker from 'dockerode';
import { splitTag } from '../../api/reference';
import { PLUGIN_TYPES, type PluginPrivilege, type PluginSummary, type PluginUsers } from '../../api/plugins';

/** The parts of a plugin's configuration Berth reads (the engine's JSON; every part may be missing in an old one). */
export interface PluginConfigRead {
  Description?: string;
  Interface?: { Types?: unknown[] | null } | null;
  // unknown: dockerode's types give it as a Network handle, which it is not.
  Network?: unknown;
  IpcHost?: boolean;
  PidHost?: boolean;
  Mounts?: Array<{ Source?: string | null }> | null;
  Linux?: { Capabilities?: string[] | null; AllowAllDevices?: boolean; Devices?: Array<{ Path?: string | null }> | null } | null;
}

/**
 * The privileges a plugin's configuration asks for, in the engine's own words and order (its
 * computePrivileges): what `docker plugin install` asks to grant, and what an installed plugin holds.
 */
export function privilegesOf(config: PluginConfigRead): PluginPrivilege[] {
  const privileges: PluginPrivilege[] = [];
  const network = typeof config.Network === 'object' && config.Network !== null && 'Type' in config.Network ? String(config.Network.Type ?? '') : '';
  if (!['', 'null', 'bridge'].includes(network)) privileges.push({ name: 'network', description: 'permissions to access a network', value: [network] });
  if (config.IpcHost) privileges.push({ name: 'host ipc namespace', description: 'allow access to host ipc namespace', value: ['true'] });
  if (config.PidHost) privileges.push({ name: 'host pid namespace', description: 'allow access to host pid namespace', value: ['true'] });
  for (const mount of config.Mounts ?? []) {
    if (mount.Source != null) privileges.push({ name: 'mount', description: 'host path to mount', value: [mount.Source] });
  }
  for (const device of config.Linux?.Devices ?? []) {
    if (device.Path != null) privileges.push({ name: 'device', description: 'host device to access', value: [device.Path] });
  }
  if (config.Linux?.AllowAllDevices) privileges.push({ name: 'allow-all-devices', description: "allow 'rwm' access to all devices", value: ['true'] });
  const capabilities = config.Linux?.Capabilities ?? [];
  if (capabilities.length) privileges.push({ name: 'capabilities', description: 'list of additional capabilities required', value: capabilities });
  return privileges;
}

const TYPE_OF: Record<string, string> = { volumedriver: 'volume', networkdriver: 'network', authz: 'authz', logdriver: 'log', ipamdriver: 'ipam' };

/**
 * What a plugin extends, from its interface's types: the engine writes each as `docker.volumedriver/1.0`
 * (an older one as {Prefix, Capability, Version}). A capability Berth has no word for keeps its own.
 */
export function typesOf(config: PluginConfigRead): string[] {
  const found = (config.Interface?.Types ?? []).map((type) => {
    let capability = '';
    if (typeof type === 'string') capability = /^(?:[^.]+\.)?([^/]+)/.exec(type)?.[1] ?? type;
    else if (typeof type === 'object' && type !== null && 'Capability' in type) capability = String(type.Capability);
    return TYPE_OF[capability] ?? capability;
  });
  const known: readonly string[] = PLUGIN_TYPES;
  return [...PLUGIN_TYPES.filter((type) => found.includes(type)), ...found.filter((type) => type && !known.includes(type))];
}

/** NAME:TAG as its repository and tag (`latest` where the name has none). */
export function splitName(name: string): { repository: string; tag: string } {
  const { repository, tag } = splitTag(name);
  return { repository, tag: tag ?? 'latest' };
}

/** A plugin as GET /plugins lists it, as far as Berth reads it. */
export interface PluginListed {
  Id?: string;
  Name: string;
  Enabled: boolean;
  PluginReference?: string;
  Config?: PluginConfigRead;
}

export function pluginSummary(plugin: PluginListed): PluginSummary {
  const config: PluginConfigRead = plugin.Config ?? {};
  return {
    id: plugin.Id ?? '',
    name: plugin.Name,
    ...splitName(plugin.Name),
    reference: plugin.PluginReference || plugin.Name,
    description: config.Description ?? '',
    types: typesOf(config),
    enabled: plugin.Enabled,
    privileges: privilegesOf(config),
  };
}

export async function listPlugins(docker: Docker): Promise<PluginSummary[]> {
  const plugins = await docker.listPlugins();
  return plugins.map(pluginSummary).sort((a, b) => a.name.localeCompare(b.name));
}

/** The names a driver of plugin `name` may be given by: its full name, and without `:latest`. */
export function driverNames(name: string): string[] {
  const { repository, tag } = splitName(name);
  return tag === 'latest' ? [name, repository] : [name];
}

/** The volumes and networks whose driver plugin `name` gives. */
export async function pluginUsers(docker: Docker, name: string): Promise<PluginUsers> {
  const names = driverNames(name);
  const [{ Volumes: volumes }, networks] = await Promise.all([docker.listVolumes(), docker.listNetworks()]);
  return {
    volumes: (volumes ?? []).filter((volume) => names.includes(volume.Driver)).map((volume) => volume.Name).sort(),
    networks: networks.filter((network) => names.includes(network.Driver)).map((network) => network.Name).sort(),
  };
}
