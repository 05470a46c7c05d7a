import { z } from 'zod';
import { call, event, WireErrorShape } from './channel';


export const EngineState = z.enum(['stopped', 'starting', 'running', 'not-responding', 'stopping', 'suspending', 'suspended', 'error']);
export type EngineState = z.infer<typeof EngineState>;

export const StepState = z.enum(['pending', 'running', 'done', 'failed']);

export const StartStep = z.object({
  name: z.string(),
  label: z.string(),
  state: StepState,
  ms: z.number().nullable(),
  detail: z.string().optional(),
});
export type StartStep = z.infer<typeof StartStep>;

export const PortProtocol = z.enum(['tcp', 'udp']);
export type PortProtocol = z.infer<typeof PortProtocol>;

/** A port a running container publishes, as the host sees it: listening on hostIp:hostPort, or why not. */
export const ForwardedPort = z.object({
  containerId: z.string(),
  container: z.string(),
  protocol: PortProtocol,
  hostIp: z.string(),
  hostPort: z.number().int(),
  containerPort: z.number().int(),
  state: z.enum(['forwarded', 'failed']),
  error: WireErrorShape.optional(),
});
export type ForwardedPort = z.infer<typeof ForwardedPort>;

export const EngineStatus = z.object({
  state: EngineState,
  dockerHost: z.string(),
  context: z.string(),
  accelerator: z.string().nullable(),
  acceleratorReason: z.string().nullable(),
  network: z.enum(['normal', 'host-only']),
  startMs: z.number().nullable(),
  steps: z.array(StartStep),
  error: WireErrorShape.nullable(),
  versions: z.record(z.string(), z.string()),
  logs: z.object({ daemon: z.string(), console: z.string() }),
  ports: z.array(ForwardedPort),
  /** While suspended: by whom (the user, or Resource Saver after the idle minutes) and since when. */
  suspended: z
    .object({
      by: z.enum(['user', 'resource-saver']),
      at: z.string(),
      /** Containers that bind a shared folder: stopped for the suspend (a mounted share blocks the save), started again on resume. */
      stoppedForShares: z.array(z.string()),
    })
    .nullable(),
});
export type EngineStatus = z.infer<typeof EngineStatus>;

const Empty = z.object({}).strict();

// channel                    request  reply
export const engine = {
  'engine.status': call(Empty, EngineStatus),
  'engine.start': call(Empty, EngineStatus),
  'engine.stop': call(Empty, EngineStatus),
  'engine.restart': call(Empty, EngineStatus),
  /** Saves the running VM whole and ends it: containers are frozen, not stopped; the next start resumes them. */
  'engine.suspend': call(Empty, EngineStatus),
  /** The host woke from sleep (the desktop app hears it from the OS): the guest's clock is set again. */
  'engine.hostResumed': call(Empty, Empty),
  'engine.changed': event(EngineStatus),
};

/** The line that points a shell's docker CLI at `dockerHost`: PowerShell's for a Windows pipe, a POSIX shell's otherwise. */
export const dockerHostExport = (dockerHost: string): string =>
  dockerHost.startsWith('npipe:') ? `$env:DOCKER_HOST = "${dockerHost}"` : `export DOCKER_HOST=${dockerHost}`;
