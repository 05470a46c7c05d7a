import { z } from 'zod';
import { call, event, WireErrorShape } from './channel';

export const PublishedPort = z.object({
  hostIp: z.string().nullable(),
  hostPort: z.number().int().nullable(),
  containerPort: z.number().int(),
  protocol: z.string(),
});
export type PublishedPort = z.infer<typeof PublishedPort>;

export const ContainerSummary = z.object({
  id: z.string(),
  name: z.string(),
  image: z.string(),
  command: z.string(),
  state: z.string(),
  status: z.string(),
  created: z.number(),
  /** The compose project (label com.docker.compose.project), or null for a container on its own. */
  project: z.string().nullable(),
  ports: z.array(PublishedPort),
});
export type ContainerSummary = z.infer<typeof ContainerSummary>;

export const ContainerAction = z.enum(['start', 'stop', 'restart', 'pause', 'unpause', 'kill', 'remove']);
export type ContainerAction = z.infer<typeof ContainerAction>;

const Id = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$/, 'a container id or name');

export const ActionResult = z.object({
  id: z.string(),
  error: WireErrorShape.nullable(),
});

const Empty = z.object({}).strict();

// channel                      request                                                          reply
export const containers = {
  'containers.list': call(Empty, z.object({ containers: z.array(ContainerSummary) })),
  'containers.act': call(z.object({ ids: z.array(Id).min(1).max(1000), action: ContainerAction }).strict(), z.object({ results: z.array(ActionResult) })),
  /** One container changed; `container` is null once it is gone. */
  'containers.changed': event(z.object({ id: z.string(), container: ContainerSummary.nullable() })),
};

export type ContainerChange = z.output<(typeof containers)['containers.changed']['payload']>;
