import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  maxRateFreshnessMs,
  minRateFreshnessMs,
  nextRateSummary,
  ratesAsOf,
  seriesRetentionMs,
  type RatedPush,
  type RateSummary,
} from './rate-summary.ts';
import type { ComponentSample } from './self-metrics.translator.ts';

/** One push of an otelcol with an OTLP receiver, a batch processor and two exporters. */
function aPush(
  receivedAtMs: number,
  counters: { accepted: number; refused?: number; sent: number; sendFailed?: number; debugSent?: number },
  options: { startTimeUnixMs?: number; clockSkewMs?: number } = {},
): RatedPush {
  const timeUnixMs = receivedAtMs + (options.clockSkewMs ?? 0);
  const startTimeUnixMs = options.startTimeUnixMs ?? 1000;
  const sample = (kind: ComponentSample['kind'], componentId: string, c: ComponentSample['counters']) => ({
    kind,
    componentId,
    signal: 'logs' as const,
    counters: c,
    startTimeUnixMs,
    timeUnixMs,
  });
  return {
    receivedAtMs,
    samples: [
      sample('receiver', 'otlp', { accepted: counters.accepted, refused: counters.refused ?? 0 }),
      sample('processor', 'batch', { incoming: counters.accepted * 10, outgoing: counters.accepted * 10 }),
      sample('exporter', 'otlphttp/x', { sent: counters.sent, sendFailed: counters.sendFailed ?? 0 }),
      sample('exporter', 'debug', { sent: counters.debugSent ?? 0, sendFailed: 0 }),
    ],
  };
}

/** A summary and the push it came from: what the next commit starts from. */
interface Step {
  readonly summary: RateSummary;
  readonly push: RatedPush;
}
const first = (push: RatedPush): Step => ({ summary: nextRateSummary(undefined, [push]), push });
const then = (prior: Step, ...pushes: RatedPush[]): Step => ({
  summary: nextRateSummary(prior.summary, pushes),
  push: pushes.at(-1) ?? prior.push,
});

describe('per-collector rate summary', () => {
  it('has no rates after one push: a rate needs two samples', () => {
    const { summary } = first(aPush(60_000, { accepted: 100, sent: 100 }));
    assert.equal(summary.recordsInPerSec, null);
    assert.equal(summary.ratesAtMs, null);
    assert.equal(ratesAsOf(summary, 61_000).missingReason, 'needs_two_samples');
    assert.equal(ratesAsOf(undefined, 61_000).missingReason, 'no_self_telemetry');
  });

  it('sums receivers into records in, exporters into records out, refused + send_failed into errors', () => {
    const second = then(
      first(aPush(0, { accepted: 0, sent: 0, debugSent: 0 })),
      aPush(30_000, { accepted: 3000, refused: 60, sent: 900, sendFailed: 21_000, debugSent: 300 }),
    ).summary;
    assert.equal(second.recordsInPerSec, 100);
    assert.equal(
      second.recordsOutPerSec,
      40,
      'otlphttp/x 30/s + debug 10/s; the processor counts in neither',
    );
    assert.equal(second.errorsPerSec, 702, 'receiver refused 2/s + exporter send_failed 700/s');
    assert.deepEqual(second.topError, { kind: 'exporter', componentId: 'otlphttp/x', perSec: 700 });
    assert.equal(second.ratesAtMs, 30_000);
    assert.deepEqual(ratesAsOf(second, 31_000), {
      recordsInPerSec: 100,
      recordsOutPerSec: 40,
      errorsPerSec: 702,
      topError: { kind: 'exporter', componentId: 'otlphttp/x', perSec: 700 },
      exporterRates: [
        { componentId: 'otlphttp/x', recordsPerSec: 30, errorsPerSec: 700 },
        { componentId: 'debug', recordsPerSec: 10, errorsPerSec: 0 },
      ],
      missingReason: null,
    });
  });

  it('rates over the collector’s own sample times, like the throughput API', () => {
    const skew = -86_400_000;
    // Received 30 s apart, but the collector's clock says 60 s passed.
    const late = aPush(30_000, { accepted: 6000, sent: 0 }, { clockSkewMs: skew + 30_000 });
    const step = then(first(aPush(0, { accepted: 0, sent: 0 }, { clockSkewMs: skew })), late);
    assert.equal(step.summary.recordsInPerSec, 100);
  });

  it('yields no rate across a restart (new start time or a counter that went down), then rates again', () => {
    const running = then(
      first(aPush(0, { accepted: 0, sent: 0 })),
      aPush(30_000, { accepted: 3000, sent: 3000 }),
    );
    const restarted = then(running, aPush(60_000, { accepted: 30, sent: 30 }, { startTimeUnixMs: 55_000 }));
    assert.equal(restarted.summary.recordsInPerSec, null, 'no spike and no negative rate');
    assert.equal(ratesAsOf(restarted.summary, 61_000).missingReason, 'needs_two_samples');
    const down = then(running, aPush(60_000, { accepted: 10, sent: 10 }));
    assert.equal(down.summary.recordsInPerSec, null, 'a counter that went down is a restart');
    assert.equal(down.summary.recordsOutPerSec, 0, 'the debug exporter (never reset) still rates: 0/s');
    const again = then(restarted, aPush(90_000, { accepted: 330, sent: 630 }, { startTimeUnixMs: 55_000 }));
    assert.equal(again.summary.recordsInPerSec, 10);
    assert.equal(again.summary.recordsOutPerSec, 20);
  });

  it('reads as absent once a few push intervals pass without a newer push', () => {
    const one = first(aPush(0, { accepted: 0, sent: 0 }));
    const second = then(one, aPush(60_000, { accepted: 600, sent: 600 })).summary;
    assert.equal(second.expiresAtMs, 60_000 + 3 * 60_000);
    assert.equal(ratesAsOf(second, second.expiresAtMs - 1).recordsInPerSec, 10);
    assert.deepEqual(ratesAsOf(second, second.expiresAtMs), {
      recordsInPerSec: null,
      recordsOutPerSec: null,
      errorsPerSec: null,
      topError: null,
      exporterRates: [],
      missingReason: 'stale',
    });
    const fast = then(
      then(one, aPush(60_000, { accepted: 600, sent: 600 })),
      aPush(61_000, { accepted: 610, sent: 610 }),
    );
    assert.equal(fast.summary.expiresAtMs, 61_000 + minRateFreshnessMs, 'never sooner than the floor');
    assert.equal(one.summary.expiresAtMs, maxRateFreshnessMs, 'interval unknown: the ceiling');
  });

  it('keeps the previous summary when only an older push arrives late', () => {
    const second = then(
      first(aPush(0, { accepted: 0, sent: 0 })),
      aPush(60_000, { accepted: 600, sent: 600 }),
    );
    assert.equal(then(second, aPush(30_000, { accepted: 300, sent: 300 })).summary, second.summary);
  });

  it('rates the newest pair when one commit holds two pushes of a collector', () => {
    const both = then(
      first(aPush(0, { accepted: 0, sent: 0 })),
      aPush(30_000, { accepted: 300, sent: 300 }),
      aPush(60_000, { accepted: 1200, sent: 300 }),
    ).summary;
    assert.equal(both.recordsInPerSec, 30);
    assert.equal(both.recordsOutPerSec, 0);
  });

  it('forgets series missing from pushes for longer than the retention', () => {
    const receiverOnly = (receivedAtMs: number): RatedPush => ({
      receivedAtMs,
      samples: aPush(receivedAtMs, { accepted: 0, sent: 0 }).samples.filter((s) => s.kind === 'receiver'),
    });
    const later = then(first(aPush(0, { accepted: 0, sent: 0 })), receiverOnly(seriesRetentionMs + 30_000));
    assert.deepEqual(
      later.summary.lastSamples.map((s) => s.componentId),
      ['otlp'],
    );
  });

  it('leaves out series missing from the newest push: absent, not 0', () => {
    const receiverOnly = (receivedAtMs: number): RatedPush => ({
      receivedAtMs,
      samples: aPush(receivedAtMs, { accepted: receivedAtMs / 100, sent: 0 }).samples.filter(
        (s) => s.kind === 'receiver',
      ),
    });
    const later = then(first(aPush(0, { accepted: 0, sent: 0 })), receiverOnly(30_000)).summary;
    assert.equal(later.recordsInPerSec, 10);
    assert.equal(later.recordsOutPerSec, null, 'no exporter in the newest push');
  });
});
