import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { createTestDatabase, postgresUnavailableReason } from '../testing/postgres.ts';
import { anyValue, metric, numberPoint, request, sumData } from '../protocols/otlp/testing/otlp-bytes.ts';
import { openStorage, type StorageTarget } from '../storage/open-storage.ts';
import { secretsFound } from './secret-scan.ts';
import { bySize, startServerProcess, type ServerProcess } from './server-process.ts';

/**
 * Finding 4 of issue #9: pushes answered 200 were lost on a crash (the server answered before
 * writing, in 200 ms batches). OTLP's contract is that a success response means the data was
 * accepted. Here the real server binary takes sustained pushes from many collectors, is killed
 * with SIGKILL mid-stream, restarted on the same data, and every push it answered 200 must be in
 * the store: each push carries a per-collector sequence number as its counter value.
 */
const collectorCount = bySize({ ci: 16, full: 64 });
const ingestMs = bySize({ ci: 3_000, full: 15_000 });
const startNs = BigInt(Date.now() - 60_000) * 1_000_000n;

function push(sequence: number): Uint8Array {
  const timeNs = BigInt(Date.now()) * 1_000_000n;
  return request({ 'service.name': anyValue.string('otelcol-contrib') }, [
    metric(
      'otelcol_receiver_accepted_spans',
      sumData([
        numberPoint({
          startNs,
          timeNs,
          asDouble: sequence,
          attributes: { receiver: anyValue.string('otlp'), transport: anyValue.string('grpc') },
        }),
      ]),
    ),
  ]);
}

interface Collector {
  readonly id: string;
  readonly token: string;
  /** Sequence numbers of pushes answered 200. */
  readonly acknowledged: number[];
}

async function enrol(server: ServerProcess, count: number): Promise<Collector[]> {
  const collectors: Collector[] = [];
  for (let i = 0; i < count; i++) {
    const created = (await (
      await server.api('/api/v1/collectors', {
        method: 'POST',
        json: { name: `crash-${i}`, runtime: 'alloy' },
      })
    ).json()) as { id: string };
    const { token } = (await (
      await server.api(`/api/v1/collectors/${created.id}/token`, { method: 'POST' })
    ).json()) as { token: string };
    collectors.push({ id: created.id, token, acknowledged: [] });
  }
  return collectors;
}

/** Each collector pushes back to back until `running()` turns false; only 200s are recorded. */
async function sustain(url: string, collector: Collector, running: () => boolean): Promise<void> {
  let sequence = 0;
  while (running()) {
    sequence += 1;
    try {
      const response = await fetch(`${url}/v1/metrics`, {
        method: 'POST',
        headers: { authorization: `Bearer ${collector.token}`, 'content-type': 'application/x-protobuf' },
        body: push(sequence),
      });
      await response.arrayBuffer();
      if (response.status === 200) collector.acknowledged.push(sequence);
    } catch {
      return; // the server is gone: what was not answered was not acknowledged
    }
  }
}

async function storedSequences(target: StorageTarget, collector: Collector): Promise<Set<number>> {
  const { storage } = await openStorage(target);
  try {
    const rows = await storage.throughput.listRows(collector.id, {
      sinceMs: 0,
      untilMs: Date.now() + 3_600_000,
      limit: 1_000_000,
    });
    return new Set(rows.map((row) => row.counters.accepted ?? -1));
  } finally {
    await storage.close();
  }
}

for (const dialect of ['sqlite', 'postgres'] as const) {
  const skip = dialect === 'postgres' ? await postgresUnavailableReason() : undefined;
  describe(`kill -9 during sustained ingest (${dialect})`, { skip: skip ?? false }, () => {
    const cleanups: Array<() => Promise<void> | void> = [];
    after(async () => {
      for (const cleanup of cleanups.reverse()) await cleanup();
    });

    it('keeps every push that was answered 200', async () => {
      const database = dialect === 'postgres' ? await createTestDatabase() : undefined;
      if (database) cleanups.push(database.drop);
      const env: Record<string, string> = database ? { LINKMESH_DATABASE_URL: database.url } : {};
      const first = await startServerProcess({ env });
      cleanups.push(() => first.cleanUp());
      const collectors = await enrol(first, collectorCount);

      let running = true;
      const startedMs = performance.now();
      const senders = collectors.map((collector) => sustain(first.url, collector, () => running));
      await new Promise((resolve) => setTimeout(resolve, ingestMs));
      await first.stop('SIGKILL');
      running = false;
      await Promise.all(senders);
      const elapsedSeconds = (performance.now() - startedMs) / 1000;

      // The server comes back on the same data (recovery), then the store is read directly.
      const second = await startServerProcess({ env, dataDir: first.dataDir, adminToken: first.adminToken });
      await second.stop('SIGTERM');
      const target: StorageTarget = database
        ? { kind: 'postgres', url: database.url, poolSize: 2 }
        : { kind: 'sqlite', file: join(first.dataDir, 'linkmesh.db') };
      let acknowledged = 0;
      const lost: string[] = [];
      for (const collector of collectors) {
        const stored = await storedSequences(target, collector);
        acknowledged += collector.acknowledged.length;
        for (const sequence of collector.acknowledged)
          if (!stored.has(sequence)) lost.push(`${collector.id}#${sequence}`);
      }
      console.log(
        `kill -9 (${dialect}): ${acknowledged} pushes answered 200 in ${elapsedSeconds.toFixed(1)} s ` +
          `(${Math.round(acknowledged / elapsedSeconds)}/s from ${collectorCount} collectors); lost after restart: ${lost.length}`,
      );
      assert.ok(acknowledged > collectorCount * 5, 'the load ran');
      const secrets = [first.adminToken, ...collectors.map((collector) => collector.token)];
      assert.deepEqual(
        [...secretsFound(first, secrets), ...secretsFound(second, secrets)],
        [],
        'no bearer in the logs or the database file',
      );
      assert.deepEqual(lost.slice(0, 10), [], `${lost.length} acknowledged pushes were lost`);
    });
  });
}
