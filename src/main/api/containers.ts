import { z } from 'zod';
import { call, event, stream, WireErrorShape } from './channel';
import { PostureFinding } from './posture';
import { RunRequest } from './run';

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
  /** Its security posture, read from its inspect; null until the daemon has read it. */
  findings: z.array(PostureFinding).nullable(),
});
export type ContainerSummary = z.infer<typeof ContainerSummary>;

/** One container's security posture, every finding read. */
export const ContainerPosture = z.object({ id: z.string(), name: z.string(), image: z.string(), findings: z.array(PostureFinding) });
export type ContainerPosture = z.infer<typeof ContainerPosture>;

export const ContainerAction = z.enum(['start', 'stop', 'restart', 'pause', 'unpause', 'kill', 'remove']);
export type ContainerAction = z.infer<typeof ContainerAction>;

export const ContainerId = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$/, 'a container id or name');

export const ActionResult = z.object({
  id: z.string(),
  error: WireErrorShape.nullable(),
});

const Empty = z.object({}).strict();

/** One line of a container's output; `time` is Docker's RFC 3339 timestamp for it. */
export const LogLine = z.object({ stream: z.enum(['stdout', 'stderr']), time: z.string().nullable(), text: z.string() });
export type LogLine = z.infer<typeof LogLine>;

// channel                      request                                                          reply
export const containers = {
  'containers.list': call(Empty, z.object({ containers: z.array(ContainerSummary) })),
  /** Every container with its findings, once each has been read: what `berth posture` prints. */
  'containers.posture': call(Empty, z.object({ containers: z.array(ContainerPosture) })),
  'containers.act': call(z.object({ ids: z.array(ContainerId).min(1).max(1000), action: ContainerAction }).strict(), z.object({ results: z.array(ActionResult) })),
  /** The container's last `tail` lines, then each new one as it is written, until it stops. */
  'containers.logs': stream(z.object({ id: ContainerId, tail: z.number().int().min(0).max(10_000).default(1000) }).strict(), z.object({ lines: z.array(LogLine) })),
  /** Creates and starts a container, detached (as `docker run -d`). */
  'containers.run': call(RunRequest, z.object({ id: z.string(), name: z.string() })),
  /** One container changed; `container` is null once it is gone. */
  'containers.changed': event(z.object({ id: z.string(), container: ContainerSummary.nullable() })),
};

export type ContainerChange = z.output<(typeof containers)['containers.changed']['payload']>;
