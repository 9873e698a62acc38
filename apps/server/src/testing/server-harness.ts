import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { loadConfig } from '../config/config.ts';
import type { Clock } from '../domain/shared/clock.ts';
import { mintCredential } from '../domain/shared/credentials.ts';
import { startServer, type RunningServer, type StartOptions } from '../main.ts';
import { createLogger } from '../platform/logger.ts';
import { createTestDatabase } from './postgres.ts';
import type { Dialect } from './storage-harness.ts';

export interface TestServer {
  readonly server: RunningServer;
  readonly url: string;
  /** An Admin service-account token seeded through LINKMESH_ADMIN_TOKEN. */
  readonly adminToken: string;
  /** Every JSON log line the server wrote. */
  readonly logs: string[];
  /** The PostgreSQL database URL when running on PostgreSQL (another replica can share it). */
  readonly databaseUrl: string | undefined;
  /** fetch against the server with the admin token unless `headers.authorization` is given. */
  api(path: string, init?: RequestInit & { json?: unknown }): Promise<Response>;
  close(): Promise<void>;
}

/**
 * Starts a real server on a loopback ephemeral port with its own data directory (and, for
 * PostgreSQL, its own database), exactly as main.ts wires it.
 */
export async function startTestServer(
  options: {
    dialect?: Dialect;
    clock?: Clock;
    env?: Record<string, string>;
    /** Join this existing PostgreSQL database (a second replica) instead of creating one. */
    sharedDatabaseUrl?: string;
    cacheTtls?: { verifiedTtlMs: number; liveTtlMs: number };
    /** Reuse this data directory (a restart); the caller removes it. */
    dataDir?: string;
    /** Listen here instead of an ephemeral port (a restart that clients must find again). */
    listen?: string;
    /** Passed to startServer as they are (naming-check settings, stream refresh …). */
    start?: Pick<StartOptions, 'namingChecks' | 'topologyStreamRefreshMs' | 'topologyMaxStreams'>;
  } = {},
): Promise<TestServer> {
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'linkmesh-server-'));
  const database =
    options.sharedDatabaseUrl !== undefined
      ? { url: options.sharedDatabaseUrl, drop: () => Promise.resolve() }
      : options.dialect === 'postgres'
        ? await createTestDatabase()
        : undefined;
  const adminToken = mintCredential('serviceAccount');
  const logs: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      logs.push(...chunk.toString('utf8').split('\n').filter(Boolean));
      done();
    },
  });
  const config = loadConfig({
    env: {
      LINKMESH_LISTEN: options.listen ?? '127.0.0.1:0',
      LINKMESH_DATA_DIR: dataDir,
      LINKMESH_ADMIN_TOKEN: adminToken,
      LINKMESH_ADMIN_PASSWORD: 'test-admin-password',
      LINKMESH_LOG_LEVEL: 'debug',
      // Suites send many deliberately bad credentials from 127.0.0.1; throttling has its own tests.
      LINKMESH_AUTH_FAILURES_PER_WINDOW: '100000',
      ...(database ? { LINKMESH_DATABASE_URL: database.url } : {}),
      ...options.env,
    },
  });
  const server = await startServer(config, {
    logger: createLogger('debug', sink),
    ...(options.clock ? { clock: options.clock } : {}),
    ...(options.cacheTtls ? { cacheTtls: options.cacheTtls } : {}),
    ...options.start,
  });
  const url = server.url;
  return {
    server,
    url,
    adminToken,
    logs,
    databaseUrl: database?.url,
    api: (path, init = {}) => {
      const headers = new Headers(init.headers);
      if (!headers.has('authorization')) headers.set('authorization', `Bearer ${adminToken}`);
      let body = init.body;
      if (init.json !== undefined) {
        headers.set('content-type', 'application/json');
        body = JSON.stringify(init.json);
      }
      return fetch(url + path, { ...init, headers, body: body ?? null });
    },
    close: async () => {
      await server.close();
      await database?.drop();
      if (options.dataDir === undefined) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
