import { z } from 'zod';
import { call, stream } from './channel';
import { ExtensionKey } from './extensions';

/**
 * What an extension's page may ask, through `window.ddClient`. Only channels named `ddClient.*` reach an
 * extension's carrier, and that carrier sets `key` from the page's origin: whatever the page sends there is replaced.
 */

/** Where an exec runs: the docker CLI on the host, the extension's first backend container, or one of its host binaries. */
export const ExecScope = z.enum(['docker', 'vm', 'host']);
export type ExecScope = z.infer<typeof ExecScope>;

export const ExecRequest = z
  .object({
    key: ExtensionKey,
    scope: ExecScope,
    command: z.string().min(1).max(4096),
    args: z.array(z.string().max(65536)).max(1000),
    cwd: z.string().max(4096).optional(),
    env: z.record(z.string(), z.string()).optional(),
  })
  .strict();
export type ExecRequest = z.infer<typeof ExecRequest>;

/** Output as it comes, then one `exit` (code null when a signal ended it). */
export const ExecChunk = z.union([
  z.object({ stdout: z.string() }).strict(),
  z.object({ stderr: z.string() }).strict(),
  z.object({ exit: z.number().int().nullable(), signal: z.string().nullable() }).strict(),
]);
export type ExecChunk = z.infer<typeof ExecChunk>;

const HttpMethod = z.enum(['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD']);

export const ServiceRequest = z
  .object({
    key: ExtensionKey,
    method: HttpMethod,
    url: z.string().min(1).max(8192),
    headers: z.record(z.string(), z.string()).optional(),
    /** The body as the page gave it: text, or a value sent as JSON. */
    data: z.unknown().optional(),
  })
  .strict();
export type ServiceRequest = z.infer<typeof ServiceRequest>;

/** The backend's answer whatever its status: the page's client turns a non-2xx into a ServiceError. */
export const ServiceReply = z.object({ statusCode: z.number().int(), statusText: z.string(), body: z.unknown() });
export type ServiceReply = z.infer<typeof ServiceReply>;

/** ddClient.desktopUI.navigate's targets and the object each one names. */
export const NavigateRequest = z
  .object({
    key: ExtensionKey,
    to: z.enum(['containers', 'container', 'containerLogs', 'containerInspect', 'containerTerminal', 'containerStats', 'images', 'image', 'volumes', 'volume']),
    id: z.string().max(512).optional(),
    tag: z.string().max(512).optional(),
  })
  .strict();
export type NavigateRequest = z.infer<typeof NavigateRequest>;

/** What the page needs before its scripts run. */
export const ExtensionContext = z.object({ image: z.string(), platform: z.string(), arch: z.string(), hostname: z.string() });
export type ExtensionContext = z.infer<typeof ExtensionContext>;

const Done = z.object({});
const Keyed = z.object({ key: ExtensionKey }).strict();
const ListOptions = z.object({ key: ExtensionKey, options: z.record(z.string(), z.unknown()).optional() }).strict();

// channel                         request                                                                        reply
export const ddClient = {
  'ddClient.context': call(Keyed, ExtensionContext),
  'ddClient.exec': stream(ExecRequest, ExecChunk),
  'ddClient.listContainers': call(ListOptions, z.array(z.unknown())),
  'ddClient.listImages': call(ListOptions, z.array(z.unknown())),
  'ddClient.service': call(ServiceRequest, ServiceReply),
  'ddClient.toast': call(z.object({ key: ExtensionKey, level: z.enum(['success', 'warning', 'error']), message: z.string().max(4096) }).strict(), Done),
  'ddClient.navigate': call(NavigateRequest, Done),
  'ddClient.openExternal': call(z.object({ key: ExtensionKey, url: z.string().max(8192) }).strict(), Done),
  'ddClient.showOpenDialog': call(
    z.object({ key: ExtensionKey, directory: z.boolean(), multiple: z.boolean() }).strict(),
    z.object({ canceled: z.boolean(), filePaths: z.array(z.string()) }),
  ),
};

/** The channels an extension's carrier lets through. */
export const isExtensionChannel = (channel: string): boolean => Object.hasOwn(ddClient, channel);
