import { z } from 'zod';
import { call, event, WireErrorShape } from './channel';
import { DriverName } from './plugins';

export const NetworkSummary = z.object({
  id: z.string(),
  name: z.string(),
  driver: z.string(),
  scope: z.string(),
  /** Each address range of the network, IPv4 and IPv6, in CIDR form. */
  subnets: z.array(z.string()),
  /** Names of the containers (running or not) attached to it. */
  containers: z.array(z.string()),
  created: z.string().nullable(),
  /** bridge, host and none: the engine's own, which cannot be removed. */
  builtIn: z.boolean(),
});
export type NetworkSummary = z.infer<typeof NetworkSummary>;

export const BUILT_IN_NETWORKS = ['bridge', 'host', 'none'];

export const NetworkName = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,254}$/, 'A network name holds letters, digits, and _ . - after the first character.');

/** The engine's own drivers a network made here can have; host and none exist once per engine. */
export const NetworkDriver = z.enum(['bridge', 'ipvlan', 'macvlan']);
export type NetworkDriver = z.infer<typeof NetworkDriver>;

export const Subnet = z.union([z.cidrv4(), z.cidrv6()], {
  error: 'A subnet is an address range in CIDR form, e.g. 172.30.0.0/16 (or leave it empty and the engine picks one).',
});

/** With a built-in driver (NetworkDriver), or a network plugin's. */
export const NetworkCreate = z.object({ name: NetworkName, driver: DriverName.default('bridge'), subnet: Subnet.optional() }).strict();

const Empty = z.object({}).strict();
const NetworkList = z.object({ networks: z.array(NetworkSummary) });

// channel                    request                                                    reply
export const networks = {
  'networks.list': call(Empty, NetworkList),
  'networks.create': call(NetworkCreate, z.object({ id: z.string(), name: z.string() })),
  'networks.remove': call(z.object({ names: z.array(NetworkName).min(1).max(1000) }).strict(), z.object({ results: z.array(z.object({ name: z.string(), error: WireErrorShape.nullable() })) })),
  /** The engine's own description of one network (as `docker network inspect`). */
  'networks.inspect': call(z.object({ name: NetworkName }).strict(), z.object({ network: z.record(z.string(), z.unknown()) })),
  /** The whole list again, whenever a network or a container's attachment to one changed. */
  'networks.changed': event(NetworkList),
};
