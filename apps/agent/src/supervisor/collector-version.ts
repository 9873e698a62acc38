import { execFile } from 'node:child_process';
import { stat } from 'node:fs/promises';

const cache = new Map<string, string | null>();

/**
 * The first line of `<binary> --version` (Alloy: `alloy, version v1.9.1 (branch: …)`), null when
 * it cannot be run. Cached per binary and modification time, so a package upgrade is noticed
 * without running the binary on every report.
 */
export async function collectorVersion(binary: string): Promise<string | null> {
  let key: string;
  try {
    const info = await stat(binary);
    key = `${binary}\0${String(info.mtimeMs)}\0${String(info.size)}`;
  } catch {
    return null;
  }
  const cached = cache.get(key);
  if (cached !== undefined) return cached;
  const version = await firstLineOf(binary, ['--version']);
  cache.set(key, version);
  return version;
}

function firstLineOf(binary: string, args: string[]): Promise<string | null> {
  return new Promise((resolve) => {
    execFile(binary, args, { timeout: 5_000, maxBuffer: 64 * 1024 }, (error, stdout, stderr) => {
      if (error !== null) {
        resolve(null);
        return;
      }
      // Some builds print the version on stderr.
      const line = `${stdout}\n${stderr}`.split('\n').find((l) => l.trim() !== '');
      resolve(line === undefined ? null : line.trim().slice(0, 256));
    });
  });
}
