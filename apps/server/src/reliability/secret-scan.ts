import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ServerProcess } from './server-process.ts';

/**
 * Which of `secrets` (tokens, passwords) appear in the server's logs or in its SQLite files
 * (database, WAL and shared-memory file, as bytes). The suite's rule (issue #9): none may.
 * Call after the server stopped, so the files are complete.
 */
export function secretsFound(server: ServerProcess, secrets: readonly string[]): string[] {
  const logs = server.logs().join('\n');
  const files = ['linkmesh.db', 'linkmesh.db-wal', 'linkmesh.db-shm']
    .map((name) => join(server.dataDir, name))
    .filter((file) => existsSync(file))
    .map((file) => readFileSync(file));
  return secrets.filter(
    (secret) => secret.length > 0 && (logs.includes(secret) || files.some((bytes) => bytes.includes(secret))),
  );
}
