import { constants } from 'node:fs';
import { open, realpath } from 'node:fs/promises';
import { sep } from 'node:path';

/**
 * The contents of `path` when it really lies inside `root`: both real paths (every link resolved) are compared,
 * then the file is opened without following a link, and read only when the opened file is a regular one. A
 * lexical check alone lets a chain of links that each look inside lead anywhere the user can read.
 */
export async function readFileInside(root: string, path: string): Promise<Buffer | null> {
  const real = await Promise.all([realpath(root), realpath(path)]).catch(() => null);
  if (!real || !real[1].startsWith(real[0] + sep)) return null;
  const handle = await open(real[1], constants.O_RDONLY | constants.O_NOFOLLOW).catch(() => null);
  if (!handle) return null;
  try {
    if (!(await handle.stat()).isFile()) return null;
    return await handle.readFile();
  } finally {
    await handle.close();
  }
}
