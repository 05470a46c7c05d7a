import { z } from 'zod';
import { call, stream } from './channel';

/** A diagnostics bundle as made: where it is, and what it holds (paths inside the archive). */
export const Diagnostics = z.object({ path: z.string(), files: z.array(z.string()) });
export type Diagnostics = z.infer<typeof Diagnostics>;

/** `data`: a fresh data disk (every image, container and volume gone). `all`: back to a first start. */
export const ResetScope = z.enum(['data', 'all']);
export type ResetScope = z.infer<typeof ResetScope>;

export const ResetDone = z.object({ removed: z.array(z.string()), restarted: z.boolean() });
export type ResetDone = z.infer<typeof ResetDone>;

/** Berth's own log (`daemon`) or the VM's serial console (`console`). */
export const LogName = z.enum(['daemon', 'console']);
export type LogName = z.infer<typeof LogName>;

/** Lines of a followed log; `restarted`: the file was replaced or cut short before these lines, which are from its start. */
export const LogChunk = z.object({ lines: z.array(z.string()), restarted: z.boolean() });
export type LogChunk = z.infer<typeof LogChunk>;

const Empty = z.object({}).strict();

// channel                          request  reply
export const troubleshoot = {
  /** Gathers logs, the start steps and their times, versions, settings and the guest's view into one .tar.gz, with no secret in it. */
  'troubleshoot.diagnose': call(Empty, Diagnostics),
  /**
   * Stops the engine and removes what `what` names: the data disk, or with `all` the settings, extensions,
   * SSH keys and saved guests too (registry logins stay in the credential helper). A purge of the data starts
   * the engine again when it was running.
   */
  'troubleshoot.reset': call(z.object({ what: ResetScope }).strict(), ResetDone),
  /** The log's last lines, then each line as it is written; it waits for a log not written yet. */
  'troubleshoot.logs': stream(z.object({ which: LogName }).strict(), LogChunk),
};
