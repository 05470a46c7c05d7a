import { z } from 'zod';
import { call } from './channel';

/** A diagnostics bundle as made: where it is, and what it holds (paths inside the archive). */
export const Diagnostics = z.object({ path: z.string(), files: z.array(z.string()) });
export type Diagnostics = z.infer<typeof Diagnostics>;

const Empty = z.object({}).strict();

// channel                          request  reply
export const troubleshoot = {
  /** Gathers logs, the start steps and their times, versions, settings and the guest's view into one .tar.gz, with no secret in it. */
  'troubleshoot.diagnose': call(Empty, Diagnostics),
};
