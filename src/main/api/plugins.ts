import { z } from 'zod';
import { call, event, stream } from './channel';
import { PullReference, TransferProgress } from './images';
import { parseReference } from './reference';

/** One thing a plugin may do beyond a container's defaults, as the engine words it (`docker plugin install` shows the same). */
export const PluginPrivilege = z.object({
  name: z.string().max(200),
  description: z.string().max(1000),
  value: z.array(z.string().max(4096)).max(100),
});
export type PluginPrivilege = z.infer<typeof PluginPrivilege>;

/** What a plugin extends the engine with, read from its interface's types (docker.volumedriver/1.0 is `volume`). */
export const PLUGIN_TYPES = ['volume', 'network', 'authz', 'log', 'ipam'] as const;
export type PluginType = (typeof PLUGIN_TYPES)[number];

export const PluginSummary = z.object({
  id: z.string(),
  /** NAME:TAG, as the engine names the plugin: what actions take, and the driver name volumes and networks give. */
  name: z.string(),
  repository: z.string(),
  tag: z.string(),
  /** Where it was installed from (its registry reference), or its name for one made locally. */
  reference: z.string(),
  description: z.string(),
  /** volume, network, authz, log or ipam; any other capability as the plugin spells it. */
  types: z.array(z.string()),
  enabled: z.boolean(),
  /** What it was granted: the privileges its configuration asks for. */
  privileges: z.array(PluginPrivilege),
});
export type PluginSummary = z.infer<typeof PluginSummary>;

/** A plugin the engine has, by NAME[:TAG] or by its id (or the start of it). */
export const PluginName = z
  .string()
  .max(512)
  .refine((text) => /^[0-9a-f]{12,64}$/.test(text) || parseReference(text, { digest: false }).ok, "a plugin's name, NAME[:TAG] as the Plugins view lists it, or its id");

/**
 * A driver for a volume or network: a built-in one, or a plugin's name as the engine lists it. A name that
 * could be no driver's is refused here; which plugins exist and are enabled, the engine says.
 */
export const DriverName = z
  .string()
  .max(512)
  .refine((text) => parseReference(text, { digest: false }).ok, "Choose a driver from the list: a built-in one, or an installed plugin's name (NAME:TAG).");

/** The volumes and networks whose driver a plugin gives: while any exist, the engine refuses to disable or remove it. */
export const PluginUsers = z.object({ volumes: z.array(z.string()), networks: z.array(z.string()) });
export type PluginUsers = z.infer<typeof PluginUsers>;

/** Granted privileges: exactly those the engine asked for (it refuses any other set). */
const Granted = z.array(PluginPrivilege).max(100);

const Empty = z.object({}).strict();
const PluginList = z.object({ plugins: z.array(PluginSummary) });

// channel                    request                                                    reply
export const plugins = {
  'plugins.list': call(Empty, PluginList),
  /** What installing (or upgrading to) `reference` asks to be granted, read from the registry first. */
  'plugins.privileges': call(z.object({ reference: PullReference }).strict(), z.object({ privileges: z.array(PluginPrivilege) })),
  /** Pulls the plugin with the privileges the user granted, then (`enable`) starts it, as `docker plugin install` does. */
  'plugins.install': stream(z.object({ reference: PullReference, privileges: Granted, enable: z.boolean() }).strict(), TransferProgress),
  /** Replaces a disabled plugin's files by those of `reference`; its settings and the volumes it made stay. */
  'plugins.upgrade': stream(z.object({ name: PluginName, reference: PullReference, privileges: Granted }).strict(), TransferProgress),
  'plugins.enable': call(z.object({ name: PluginName }).strict(), Empty),
  'plugins.disable': call(z.object({ name: PluginName }).strict(), Empty),
  /** Refused while volumes or networks use its driver, unless `force`; an enabled plugin is disabled first. */
  'plugins.remove': call(z.object({ name: PluginName, force: z.boolean() }).strict(), Empty),
  'plugins.users': call(z.object({ name: PluginName }).strict(), PluginUsers),
  /** The whole list again, whenever a plugin was installed, enabled, disabled, upgraded or removed. */
  'plugins.changed': event(PluginList),
};
