import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AdmissionGate } from './admission-gate.ts';

describe('AdmissionGate', () => {
  it('admits up to the limit, queues the rest in arrival order, and a double leave frees one place', async () => {
    const gate = new AdmissionGate(2);
    const admitted: number[] = [];
    const leaves = new Map<number, () => void>();
    const enter = (n: number) =>
      void gate.enter().then((leave) => {
        admitted.push(n);
        leaves.set(n, leave);
      });
    for (const n of [1, 2, 3, 4]) enter(n);
    await new Promise((resolve) => setImmediate(resolve));
    assert.deepEqual(admitted, [1, 2]);
    assert.equal(gate.queued, 2);
    leaves.get(1)?.();
    leaves.get(1)?.(); // idempotent: frees one place, not two
    await new Promise((resolve) => setImmediate(resolve));
    assert.deepEqual(admitted, [1, 2, 3]);
    assert.equal(gate.queued, 1);
    leaves.get(2)?.();
    await new Promise((resolve) => setImmediate(resolve));
    assert.deepEqual(admitted, [1, 2, 3, 4]);
    assert.equal(gate.queued, 0);
  });
});
