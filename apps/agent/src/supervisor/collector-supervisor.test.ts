import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createLog } from '../platform/log.ts';
import { CollectorSupervisor } from './collector-supervisor.ts';

describe('collector supervisor', () => {
  it('treats a binary that cannot be spawned as an exit, backs off, and stop() cancels the restart', async () => {
    const lines: string[] = [];
    let exits = 0;
    let exitedOnce: () => void = () => undefined;
    const exited = new Promise<void>((resolve) => (exitedOnce = resolve));
    const supervisor = new CollectorSupervisor({
      binary: '/nonexistent/alloy',
      args: ['run'],
      backoff: { initialMs: 60_000, maxMs: 60_000, resetAfterMs: 60_000 },
      stopTimeoutMs: 1_000,
      log: createLog((line) => lines.push(line)),
      onChange: (change) => {
        if (change !== 'exited') return;
        exits += 1;
        exitedOnce();
      },
    });
    supervisor.start();
    await exited;
    const snapshot = supervisor.snapshot();
    assert.equal(snapshot.running, false);
    assert.equal(snapshot.restartCount, 0);
    assert.notEqual(snapshot.nextStartAtMs, null);
    assert.equal(snapshot.recentStarts[0]?.restartDelayMs, 60_000);
    assert.match(lines.join(''), /agent\.collector: start failed .*error=ENOENT .*restart_in_ms=60000/);
    await supervisor.stop();
    assert.equal(supervisor.snapshot().nextStartAtMs, null);
    assert.equal(exits, 1);
  });
});
