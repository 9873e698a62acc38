import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { backoffDelayMs, RestartBackoff } from './restart-backoff.ts';

const production = { initialMs: 1_000, maxMs: 60_000, resetAfterMs: 60_000 };

describe('restart back-off', () => {
  it('doubles from 1 s and holds at the 60 s cap', () => {
    const schedule = Array.from({ length: 9 }, (_, i) => backoffDelayMs(i, production));
    assert.deepEqual(schedule, [1_000, 2_000, 4_000, 8_000, 16_000, 32_000, 60_000, 60_000, 60_000]);
  });

  it('stays finite after any number of consecutive exits', () => {
    assert.equal(backoffDelayMs(10_000, production), 60_000);
  });

  it('keeps growing while the process dies quickly', () => {
    const backoff = new RestartBackoff(production);
    assert.deepEqual(
      [5, 100, 59_999, 0].map((uptimeMs) => backoff.nextDelayMs(uptimeMs)),
      [1_000, 2_000, 4_000, 8_000],
    );
  });

  it('starts over after the process stayed up for resetAfterMs', () => {
    const backoff = new RestartBackoff(production);
    backoff.nextDelayMs(0);
    backoff.nextDelayMs(0);
    assert.equal(backoff.nextDelayMs(0), 4_000);
    assert.equal(backoff.nextDelayMs(60_000), 1_000);
    assert.equal(backoff.nextDelayMs(10), 2_000);
  });
});
