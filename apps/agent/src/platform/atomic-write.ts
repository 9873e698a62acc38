import { randomBytes } from 'node:crypto';
import {
  closeSync,
  fchmodSync,
  fsyncSync,
  mkdirSync,
  openSync,
  renameSync,
  rmSync,
  writeSync,
} from 'node:fs';
import { basename, dirname, join } from 'node:path';

/**
 * Replaces `path` with `content` so that a reader (Alloy, `status`, a crash mid-write) sees
 * either the old file or the new one, never half of either: a temp file in the same directory
 * (rename is only atomic within one filesystem), fsync, rename, fsync of the directory so the
 * rename itself survives a power loss. The file is created with `modeOctal` (default 0600: these
 * files hold the collector bearer and the agent's private key); a missing parent directory is
 * created 0700.
 */
export function writeFileAtomic(path: string, content: string, modeOctal = 0o600): void {
  const dir = dirname(path);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const temp = join(dir, `.${basename(path)}.${randomBytes(6).toString('hex')}.tmp`);
  try {
    // 'wx': never follow or reuse an existing file at the temp name.
    const fd = openSync(temp, 'wx', modeOctal);
    try {
      fchmodSync(fd, modeOctal); // the umask must not widen or narrow what we asked for
      writeSync(fd, content);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(temp, path);
  } catch (error) {
    rmSync(temp, { force: true });
    throw error;
  }
  fsyncDirectory(dir);
}

function fsyncDirectory(dir: string): void {
  let fd: number | undefined;
  try {
    fd = openSync(dir, 'r');
    fsyncSync(fd);
  } catch {
    // Some filesystems refuse fsync on a directory; the rename already happened.
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}
