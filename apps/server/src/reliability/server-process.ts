import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { mintCredential } from '../domain/shared/credentials.ts';
import { secretsFound } from './secret-scan.ts';

const bin = fileURLToPath(new URL('../bin.ts', import.meta.url));

/** The real server binary in a child process, as `npm start` runs it, on a loopback port. */
export interface ServerProcess {
  readonly url: string;
  readonly pid: number;
  readonly dataDir: string;
  /** An Admin `lmsat_` token seeded through LINKMESH_ADMIN_TOKEN. */
  readonly adminToken: string;
  /** The first admin's password (LINKMESH_ADMIN_PASSWORD). */
  readonly adminPassword: string;
  /** Every line the process wrote to stdout (JSON logs) and stderr, so far. */
  logs(): string[];
  /** Resident set size now, in KiB (from /proc). */
  rssKiB(): number;
  /** Peak resident set size since start (VmHWM), in KiB. */
  peakRssKiB(): number;
  /** fetch with the admin token unless `authorization` is given. */
  api(path: string, init?: RequestInit & { json?: unknown }): Promise<Response>;
  /**
   * Sends `signal`, waits for the exit, then fails if any secret of this run — the admin token
   * and password, every credential an `api()` answer carried — appears in the logs or the
   * SQLite files (issue #9: the suite's logs and database are scanned for secrets).
   */
  stop(signal?: NodeJS.Signals): Promise<void>;
  /** The secrets this run knows of so far. */
  secrets(): string[];
  /** Removes the data directory (after stop; not for a restart on the same directory). */
  cleanUp(): void;
}

export interface ServerProcessOptions {
  /** Extra LINKMESH_* variables. */
  readonly env?: Record<string, string>;
  /** Reuse this data directory (a restart). */
  readonly dataDir?: string;
  /** Reuse this admin token (a restart keeps the same seeded token). */
  readonly adminToken?: string;
  /** Listen on this address instead of an ephemeral loopback port. */
  readonly listen?: string;
}

const adminPassword = 'reliability-admin-password';

/** Starts `bin.ts` and resolves once its `server.listening` log line names the URL. */
export async function startServerProcess(options: ServerProcessOptions = {}): Promise<ServerProcess> {
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'linkmesh-reliability-'));
  const adminToken = options.adminToken ?? mintCredential('serviceAccount');
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', bin], {
    env: {
      PATH: process.env.PATH ?? '',
      LINKMESH_DATA_DIR: dataDir,
      LINKMESH_LISTEN: options.listen ?? '127.0.0.1:0',
      LINKMESH_ADMIN_TOKEN: adminToken,
      LINKMESH_ADMIN_PASSWORD: adminPassword,
      LINKMESH_LOG_LEVEL: 'info',
      ...options.env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: string[] = [];
  let partial = '';
  const collect = (chunk: Buffer) => {
    const text = partial + chunk.toString('utf8');
    const parts = text.split('\n');
    partial = parts.pop() ?? '';
    lines.push(...parts.filter(Boolean));
  };
  const url = await new Promise<string>((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      collect(chunk);
      for (const line of lines) {
        const match = /"url":"(https?:\/\/[^"]+)".*"msg":"server.listening"/.exec(line);
        if (match?.[1]) {
          resolve(match[1]);
          return;
        }
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', collect);
    child.once('exit', (code) =>
      reject(new Error(`server exited with ${String(code)}:\n${lines.join('\n')}`)),
    );
  });
  const pid = child.pid ?? 0;
  const secrets = new Set<string>([adminToken, adminPassword]);
  const minted: Promise<void>[] = [];
  const status = (field: string) => {
    const text = readFileSync(`/proc/${pid}/status`, 'utf8');
    const match = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(text);
    return Number(match?.[1] ?? 0);
  };
  const server: ServerProcess = {
    url,
    pid,
    dataDir,
    adminToken,
    adminPassword,
    logs: () => (partial ? [...lines, partial] : [...lines]),
    rssKiB: () => status('VmRSS'),
    peakRssKiB: () => status('VmHWM'),
    api: async (path, init = {}) => {
      const headers = new Headers(init.headers);
      if (!headers.has('authorization')) headers.set('authorization', `Bearer ${adminToken}`);
      let body = init.body;
      if (init.json !== undefined) {
        headers.set('content-type', 'application/json');
        body = JSON.stringify(init.json);
      }
      const response = await fetch(url + path, { ...init, headers, body: body ?? null });
      // Every credential the API hands out is remembered, so that stop() can check that none of
      // them ever reached the logs or the database files.
      if ((response.headers.get('content-type') ?? '').includes('json'))
        minted.push(
          response
            .clone()
            .text()
            .then((text) => {
              for (const match of text.matchAll(credentialShape)) secrets.add(match[0]);
            })
            .catch(() => undefined),
        );
      return response;
    },
    secrets: () => [...secrets],
    stop: async (signal = 'SIGTERM') => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = once(child, 'exit');
      child.kill(signal);
      await exited;
      await Promise.all(minted);
      const leaked = secretsFound(server, [...secrets]);
      if (leaked.length > 0)
        throw new Error(
          `secrets in the logs or database files: ${leaked.map((s) => s.slice(0, 9)).join(', ')}…`,
        );
    },
    cleanUp: () => rmSync(dataDir, { recursive: true, force: true }),
  };
  return server;
}

/** LinkMesh credentials as minted (prefix + 43 base64url characters). */
const credentialShape = /\b(?:lmct|lmet|lmsat|lms)_[A-Za-z0-9_-]{43}\b/g;

/**
 * Polls `/healthz` every `intervalMs` until stopped and keeps the worst answer time: the
 * measure of "the event loop stayed responsive" while a test attacks the server.
 */
export function watchHealth(
  url: string,
  intervalMs = 50,
): { stop(): Promise<{ worstMs: number; probes: number; failures: number }> } {
  let running = true;
  let worstMs = 0;
  let probes = 0;
  let failures = 0;
  const loop = (async () => {
    while (running) {
      const startedMs = performance.now();
      try {
        const response = await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(10_000) });
        await response.arrayBuffer();
        if (!response.ok) failures += 1;
      } catch {
        failures += 1;
      }
      worstMs = Math.max(worstMs, performance.now() - startedMs);
      probes += 1;
      await new Promise((resolve) => setTimeout(resolve, intervalMs));
    }
  })();
  return {
    stop: async () => {
      running = false;
      await loop;
      return { worstMs, probes, failures };
    },
  };
}

/**
 * How big a reliability run is: `full` locally (`LINKMESH_TEST_RELIABILITY_SCALE=full`), `ci` by
 * default (bounded so that `.ci/run` stays well under its time budget).
 */
export const reliabilityScale: 'ci' | 'full' =
  process.env.LINKMESH_TEST_RELIABILITY_SCALE === 'full' ? 'full' : 'ci';

/** `full` when the run is full size, else `ci`. */
export function bySize<T>(sizes: { ci: T; full: T }): T {
  return sizes[reliabilityScale];
}
