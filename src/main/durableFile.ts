import fs from 'node:fs';
import { basename, dirname, join } from 'node:path';

/**
 * Durable replacement of a state file: a crash or power loss at any moment leaves either the old file
 * or the new one, whole, never a mix or a truncated file.
 *
 * The new content goes to a temp file in the same folder (a rename is atomic only within one file
 * system), made with its final mode before its first byte (a private key is never readable by others,
 * not even for an instant), flushed to the disk (fsync), renamed over the target, and then the folder
 * itself is flushed, so that the rename survives a power loss too. `write-file-atomic` does all but the
 * last step, and the folder's fsync is what makes the rename last.
 */

/** The temp file's name: in the target's folder, unique to this process, hidden from globs of the target's name. */
function tempFor(path: string): string {
  return join(dirname(path), `.${basename(path)}.${process.pid}.${Math.random().toString(36).slice(2, 8)}.tmp`);
}

/** Flushes a folder's entries (a rename or a new name in it) to the disk. */
export function fsyncFolder(dir: string): void {
  // Windows cannot open a folder as a file; its rename (MoveFileEx) is durable on NTFS by itself.
  if (process.platform === 'win32') return;
  const fd = fs.openSync(dir, 'r');
  try {
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

/**
 * Writes `fill`'s output to a new temp file beside `path` with `mode`, flushes it, renames it over
 * `path` and flushes the folder. A symlink at `path` is replaced by the file, not followed.
 */
function replaceDurably(path: string, mode: number, fill: (fd: number) => void): void {
  const temp = tempFor(path);
  // 'wx': a fresh file, never one someone left there; fchmod because open's mode passes through the umask.
  const fd = fs.openSync(temp, 'wx', mode);
  let renamed = false;
  try {
    fs.fchmodSync(fd, mode);
    fill(fd);
    fs.fsyncSync(fd);
    fs.closeSync(fd);
    fs.renameSync(temp, path);
    renamed = true;
  } finally {
    if (!renamed) {
      try {
        fs.closeSync(fd);
      } catch {
        // already closed before the rename failed
      }
      fs.rmSync(temp, { force: true });
    }
  }
  fsyncFolder(dirname(path));
}

/** Replaces `path` with `data` durably (see the top of this file); `mode` is the file's from its first byte. */
export function writeFileDurably(path: string, data: string | Uint8Array, mode: number): void {
  const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
  replaceDurably(path, mode, (fd) => {
    for (let written = 0; written < bytes.length; ) written += fs.writeSync(fd, bytes, written, bytes.length - written);
  });
}

/** Replaces `path` with a copy of the file `from`, durably, in pieces (a plugin binary is tens of MB). */
export function copyFileDurably(from: string, path: string, mode: number): void {
  const source = fs.openSync(from, 'r');
  try {
    const chunk = Buffer.allocUnsafe(1 << 20);
    replaceDurably(path, mode, (fd) => {
      for (let read; (read = fs.readSync(source, chunk, 0, chunk.length, null)) > 0; ) {
        for (let written = 0; written < read; ) written += fs.writeSync(fd, chunk, written, read - written);
      }
    });
  } finally {
    fs.closeSync(source);
  }
}
