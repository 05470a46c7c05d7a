import { z } from 'zod';
import { call, stream } from './channel';
import { ContainerId } from './containers';

/** The fields of the Engine API's inspect answer that the window reads. */
const InspectFields = z.looseObject({
  Id: z.string(),
  Name: z.string(),
  Created: z.string(),
  State: z.looseObject({ Status: z.string(), Running: z.boolean() }),
  Config: z.looseObject({ Image: z.string() }),
});
export type ContainerInspect = z.infer<typeof InspectFields>;
/** The whole answer for the Inspect tab: checked for those fields, then passed on untouched, keys in the engine's order as `docker inspect` shows them. */
export const ContainerInspect = z.custom<ContainerInspect>((value) => InspectFields.safeParse(value).success, 'not a container inspect answer');

const Bytes = z.number().min(0);

/** One reading of a container's use of the machine; the rates are per second since the reading before. */
export const StatsSample = z.object({
  /** When the engine took it, in milliseconds since the epoch. */
  time: z.number(),
  /** As `docker stats` counts it: 100 is one whole CPU, so it can pass 100 on several. */
  cpuPercent: Bytes,
  memory: z.object({ usedBytes: Bytes, limitBytes: Bytes }),
  network: z.object({ rxBytes: Bytes, txBytes: Bytes, rxPerSecond: Bytes, txPerSecond: Bytes }),
  disk: z.object({ readBytes: Bytes, writeBytes: Bytes, readPerSecond: Bytes, writePerSecond: Bytes }),
  pids: z.number().int().min(0),
});
export type StatsSample = z.infer<typeof StatsSample>;

/** A running container's row figures; cpuPercent is null until there are two readings to compare. */
export const ContainerUsage = z.object({ id: z.string(), cpuPercent: Bytes.nullable(), memoryBytes: Bytes, memoryLimitBytes: Bytes });
export type ContainerUsage = z.infer<typeof ContainerUsage>;

export const TerminalSize = z.object({ cols: z.number().int().min(1).max(1000), rows: z.number().int().min(1).max(500) });

/** Raw bytes as base64: a chunk may end inside a UTF-8 character, and only bytes survive that intact. */
export const EXEC_OUTPUT_MAX = 48 * 1024;
export const ExecChunk = z.discriminatedUnion('type', [
  z.object({ type: z.literal('started'), shell: z.enum(['bash', 'sh']) }),
  z.object({ type: z.literal('output'), data: z.base64().max(Math.ceil(EXEC_OUTPUT_MAX / 3) * 4) }),
  z.object({ type: z.literal('exit'), code: z.number().int().nullable() }),
]);
export type ExecChunk = z.infer<typeof ExecChunk>;

/** Keystrokes as the terminal produced them (text), or a new size. */
export const ExecInput = z.discriminatedUnion('type', [
  z.object({ type: z.literal('data'), data: z.string().min(1).max(64 * 1024) }),
  z.object({ type: z.literal('resize'), ...TerminalSize.shape }).strict(),
]);
export type ExecInput = z.infer<typeof ExecInput>;

const Empty = z.object({}).strict();
const OneContainer = z.object({ id: ContainerId }).strict();

// channel                      request                                        chunk or reply                                     input
export const containerDetails = {
  'containers.inspect': call(OneContainer, z.object({ inspect: ContainerInspect })),
  /** A shell in a running container, with a TTY: bash when it has one, else sh. Ends when the shell does. */
  'containers.exec': stream(z.object({ id: ContainerId, ...TerminalSize.shape }).strict(), ExecChunk, ExecInput),
  /** A running container's readings, about one a second, until it stops. */
  'containers.stats': stream(OneContainer, StatsSample),
  /** Every running container's figures in one batch about every two seconds, for the containers table. */
  'containers.usage': stream(Empty, z.object({ containers: z.array(ContainerUsage) })),
};
