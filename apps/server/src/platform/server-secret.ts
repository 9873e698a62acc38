import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The server secret (32 bytes) encrypts stored secrets such as destination credentials. Taken
 * from configuration when supplied; otherwise generated once into `<dataDir>/server-secret`
 * (mode 0600) and read back on later starts. Losing it makes stored secrets unreadable.
 */
export function loadServerSecret(
  dataDir: string,
  configured: string | undefined,
): { secret: Buffer; generated: boolean } {
  if (configured !== undefined) return { secret: Buffer.from(configured, 'hex'), generated: false };
  const file = join(dataDir, 'server-secret');
  try {
    const text = readFileSync(file, 'utf8').trim();
    if (!/^[0-9a-f]{64}$/i.test(text)) throw new Error(`${file} does not hold 64 hex characters`);
    return { secret: Buffer.from(text, 'hex'), generated: false };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  mkdirSync(dataDir, { recursive: true });
  const secret = randomBytes(32);
  // `wx`: never overwrite a secret another process wrote a moment ago; read theirs instead.
  try {
    writeFileSync(file, secret.toString('hex') + '\n', { mode: 0o600, flag: 'wx' });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return loadServerSecret(dataDir, undefined);
    throw error;
  }
  return { secret, generated: true };
}
