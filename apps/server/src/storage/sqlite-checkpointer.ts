import { Worker } from 'node:worker_threads';
import type BetterSqlite3 from 'better-sqlite3';

/**
 * WAL checkpoints off the event loop. With SQLite's automatic checkpoint, the commit that crosses
 * the WAL threshold copies the WAL into the database file and syncs it — on the main thread,
 * stalling every request behind it (at fleet ingest rates, about once a second). Instead the
 * main connection turns automatic checkpoints off and a worker thread with its own connection
 * runs PASSIVE checkpoints (they never block readers or writers) every `intervalMs`. If the
 * worker ever stops, the main connection takes automatic checkpoints back, so the WAL cannot
 * grow without bound.
 */
export function startCheckpointer(
  database: BetterSqlite3.Database,
  file: string,
  options: { intervalMs: number; onError: (message: string) => void },
): { stop(): Promise<void> } {
  // Plain CommonJS evaluated in the worker: it needs no TypeScript loader.
  const source = `
    const { workerData, parentPort } = require('node:worker_threads');
    const { createRequire } = require('node:module');
    const Database = createRequire(workerData.base)('better-sqlite3');
    const db = new Database(workerData.file);
    db.pragma('busy_timeout = 5000');
    const timer = setInterval(() => {
      try { db.pragma('wal_checkpoint(PASSIVE)'); }
      catch (error) { parentPort.postMessage(String(error && error.message || error)); }
    }, workerData.intervalMs);
    parentPort.on('message', (message) => {
      if (message === 'stop') {
        clearInterval(timer);
        try { db.pragma('wal_checkpoint(PASSIVE)'); } catch {}
        db.close();
        parentPort.close();
      }
    });
  `;
  database.pragma('wal_autocheckpoint = 0');
  const worker = new Worker(source, {
    eval: true,
    workerData: { file, intervalMs: options.intervalMs, base: import.meta.url },
  });
  worker.unref();
  let stopping = false;
  worker.on('message', (message: string) => options.onError(message));
  worker.on('error', (error) => options.onError(error.message));
  worker.on('exit', () => {
    if (!stopping && database.open) database.pragma('wal_autocheckpoint = 1000');
  });
  return {
    stop: async () => {
      stopping = true;
      const exited = new Promise((resolve) => worker.once('exit', resolve));
      worker.postMessage('stop');
      await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 2000))]);
      await worker.terminate();
    },
  };
}
