import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import {
  MAX_SPARKLINE_BUCKETS,
  computeRates,
  countRestarts,
  currentRate,
  isRestart,
  latestGauges,
  rateBetween,
  sparkline,
} from './counter-rates.ts';
import type { RawSample } from './counter-rates.ts';
import type { ComponentKind, CounterName } from './self-metric-names.ts';

const START_MS = 1_767_225_600_000;

function sample(
  kind: ComponentKind,
  timeSeconds: number,
  counters: Partial<Record<CounterName, number>>,
  startTimeUnixMs = START_MS,
): RawSample {
  return { kind, counters, startTimeUnixMs, timeUnixMs: START_MS + timeSeconds * 1000 };
}

void describe('computeRates: per-kind fields (ARCHITECTURE §4)', () => {
  void test('receiver: accepted → recordsPerSec, refused + failed → errorsPerSec', () => {
    const rates = computeRates([
      sample('receiver', 30, { accepted: 1000, refused: 10, failed: 0 }),
      sample('receiver', 60, { accepted: 4000, refused: 40, failed: 30 }),
    ]);
    assert.deepEqual(rates, [
      { fromUnixMs: START_MS + 30_000, toUnixMs: START_MS + 60_000, recordsPerSec: 100, errorsPerSec: 2 },
    ]);
  });

  void test('processor: incoming → incomingPerSec, outgoing → recordsPerSec', () => {
    const [rate] = computeRates([
      sample('processor', 0, { incoming: 0, outgoing: 0 }),
      sample('processor', 10, { incoming: 500, outgoing: 450 }),
    ]);
    assert.deepEqual(rate, {
      fromUnixMs: START_MS,
      toUnixMs: START_MS + 10_000,
      recordsPerSec: 45,
      incomingPerSec: 50,
    });
  });

  void test('pre-v0.110 processor: incoming derived from outgoing + refused + dropped', () => {
    const [rate] = computeRates([
      sample('processor', 0, { outgoing: 100, refused: 0, dropped: 0 }),
      sample('processor', 10, { outgoing: 170, refused: 20, dropped: 10 }),
    ]);
    assert.deepEqual(rate, {
      fromUnixMs: START_MS,
      toUnixMs: START_MS + 10_000,
      recordsPerSec: 7,
      errorsPerSec: 2,
      incomingPerSec: 10,
      droppedPerSec: 1,
    });
  });

  void test('exporter: sent → recordsPerSec, sendFailed → errorsPerSec, enqueueFailed → droppedPerSec', () => {
    const [rate] = computeRates([
      sample('exporter', 0, { sent: 0, sendFailed: 0, enqueueFailed: 0, queueSize: 900 }),
      sample('exporter', 20, { sent: 2000, sendFailed: 100, enqueueFailed: 40, queueSize: 10 }),
    ]);
    assert.deepEqual(rate, {
      fromUnixMs: START_MS,
      toUnixMs: START_MS + 20_000,
      recordsPerSec: 100,
      errorsPerSec: 5,
      droppedPerSec: 2,
    });
  });

  void test('leaves a field out when its counter is not in both samples', () => {
    const [rate] = computeRates([
      sample('receiver', 0, { accepted: 0 }),
      sample('receiver', 10, { accepted: 10, refused: 3 }),
    ]);
    assert.deepEqual(rate, { fromUnixMs: START_MS, toUnixMs: START_MS + 10_000, recordsPerSec: 1 });
  });
});

void describe('computeRates: when there is no rate', () => {
  void test('a steady counter gives one rate per consecutive pair', () => {
    const samples = [0, 30, 60, 90].map((t) => sample('receiver', t, { accepted: t * 50 }));
    assert.deepEqual(
      computeRates(samples).map((r) => r.recordsPerSec),
      [50, 50, 50],
    );
  });

  void test('a single sample gives no rate', () => {
    assert.deepEqual(computeRates([sample('receiver', 0, { accepted: 5 })]), []);
    assert.deepEqual(computeRates([]), []);
  });

  void test('a new start time makes the first sample after it yield no rate, even when the counter grew', () => {
    const samples = [
      sample('exporter', 0, { sent: 100 }),
      sample('exporter', 30, { sent: 400 }),
      sample('exporter', 60, { sent: 900 }, START_MS + 45_000),
      sample('exporter', 90, { sent: 1200 }, START_MS + 45_000),
    ];
    assert.equal(countRestarts(samples), 1);
    const rates = computeRates(samples);
    assert.deepEqual(
      rates.map((r) => [r.toUnixMs - START_MS, r.recordsPerSec]),
      [
        [30_000, 10],
        [90_000, 10],
      ],
    );
  });

  void test('a counter that went down is a restart: no rate, never a negative one', () => {
    const rates = computeRates([
      sample('receiver', 0, { accepted: 5_000_000 }),
      sample('receiver', 30, { accepted: 300 }),
      sample('receiver', 60, { accepted: 600 }),
    ]);
    assert.deepEqual(
      rates.map((r) => r.recordsPerSec),
      [10],
    );
  });

  void test('start time 0 (Alloy) still detects a restart by the decrease', () => {
    const samples = [
      sample('receiver', 0, { accepted: 900 }, 0),
      sample('receiver', 30, { accepted: 1200 }, 0),
      sample('receiver', 60, { accepted: 40 }, 0),
      sample('receiver', 90, { accepted: 340 }, 0),
    ];
    assert.deepEqual(
      computeRates(samples).map((r) => r.recordsPerSec),
      [10, 10],
    );
    assert.equal(countRestarts(samples), 1);
  });

  void test('a start time known on only one side is not a restart by itself', () => {
    assert.equal(
      isRestart(sample('receiver', 0, { accepted: 1 }, 0), sample('receiver', 30, { accepted: 2 })),
      false,
    );
  });

  void test('start times a few milliseconds apart (a counter series appearing later) are one process', () => {
    assert.equal(
      isRestart(
        sample('receiver', 0, { accepted: 1 }),
        sample('receiver', 30, { accepted: 2 }, START_MS - 3),
      ),
      false,
    );
  });

  void test('equal or backwards timestamps give no rate', () => {
    assert.deepEqual(
      computeRates([sample('receiver', 30, { accepted: 1 }), sample('receiver', 30, { accepted: 5 })]),
      [],
    );
    assert.deepEqual(
      computeRates([sample('receiver', 30, { accepted: 1 }), sample('receiver', 20, { accepted: 5 })]),
      [],
    );
  });

  void test('a falling queue gauge is not a restart', () => {
    const prev = sample('exporter', 0, { sent: 10, queueSize: 500 });
    const next = sample('exporter', 10, { sent: 20, queueSize: 2 });
    assert.equal(isRestart(prev, next), false);
    assert.equal(rateBetween(prev, next)?.recordsPerSec, 1);
  });

  void test('a pair of gauge-only samples has no rate', () => {
    assert.equal(
      rateBetween(sample('exporter', 0, { queueSize: 1 }), sample('exporter', 10, { queueSize: 2 })),
      undefined,
    );
  });
});

void describe('currentRate', () => {
  void test('is the rate of the latest pair', () => {
    const rate = currentRate([
      sample('exporter', 0, { sent: 0 }),
      sample('exporter', 30, { sent: 300 }),
      sample('exporter', 60, { sent: 1200 }),
    ]);
    assert.equal(rate?.recordsPerSec, 30);
  });

  void test('is undefined right after a restart (no older pair passes for current), and with fewer than two samples', () => {
    const rate = currentRate([
      sample('exporter', 0, { sent: 0 }),
      sample('exporter', 30, { sent: 300 }),
      sample('exporter', 60, { sent: 5 }),
    ]);
    assert.equal(rate, undefined);
    assert.equal(currentRate([sample('exporter', 0, { sent: 0 })]), undefined);
  });
});

void describe('latestGauges', () => {
  void test('shows each queue gauge as its newest value', () => {
    assert.deepEqual(
      latestGauges([
        sample('exporter', 0, { queueSize: 3, queueCapacity: 1000 }),
        sample('exporter', 30, { queueSize: 7 }),
      ]),
      { queueSize: 7, queueCapacity: 1000 },
    );
    assert.deepEqual(latestGauges([sample('receiver', 0, { accepted: 1 })]), {});
  });
});

void describe('sparkline', () => {
  const windowStartMs = START_MS;
  const windowEndMs = START_MS + 120_000;

  void test('averages the rates over each bucket and leaves buckets without data null', () => {
    const samples = [
      sample('receiver', 0, { accepted: 0 }),
      sample('receiver', 30, { accepted: 300 }),
      sample('receiver', 60, { accepted: 1500 }),
    ];
    assert.deepEqual(sparkline(samples, windowStartMs, windowEndMs, 4), [10, 40, null, null]);
  });

  void test('fills every bucket a long push interval spans and weights partial overlaps by time', () => {
    const samples = [
      sample('receiver', 0, { accepted: 0 }),
      sample('receiver', 60, { accepted: 600 }),
      sample('receiver', 90, { accepted: 1500 }),
    ];
    // Buckets of 45 s: [0,45) all at 10/s; [45,90) 15 s at 10/s + 30 s at 30/s; [90,135) no data.
    assert.deepEqual(sparkline(samples, windowStartMs, START_MS + 135_000, 3), [
      10,
      (15 * 10 + 30 * 30) / 45,
      null,
    ]);
  });

  void test('leaves the gap around a restart empty instead of drawing a spike', () => {
    const samples = [
      sample('exporter', 0, { sent: 0 }),
      sample('exporter', 30, { sent: 300 }),
      sample('exporter', 60, { sent: 2 }),
      sample('exporter', 90, { sent: 302 }),
    ];
    assert.deepEqual(sparkline(samples, windowStartMs, windowEndMs, 4), [10, null, 10, null]);
  });

  void test('clips rate intervals to the window and can draw another field', () => {
    const samples = [sample('exporter', -30, { sendFailed: 0 }), sample('exporter', 30, { sendFailed: 120 })];
    assert.deepEqual(sparkline(samples, windowStartMs, windowEndMs, 4, 'errorsPerSec'), [
      2,
      null,
      null,
      null,
    ]);
  });

  void test('rejects a non-integer, zero or oversized bucket count and an empty window', () => {
    assert.throws(() => sparkline([], windowStartMs, windowEndMs, 0), RangeError);
    assert.throws(() => sparkline([], windowStartMs, windowEndMs, 2.5), RangeError);
    assert.throws(() => sparkline([], windowStartMs, windowEndMs, MAX_SPARKLINE_BUCKETS + 1), RangeError);
    assert.throws(() => sparkline([], windowEndMs, windowStartMs, 4), RangeError);
  });
});

void describe('rates: properties', () => {
  const counterValue = fc.oneof(fc.nat(), fc.double({ min: 0, max: 1e15, noNaN: true }));
  const arbitrarySeries = fc
    .array(
      fc.record({
        stepMs: fc.integer({ min: -5_000, max: 120_000 }),
        startTimeUnixMs: fc.constantFrom(0, START_MS, START_MS + 60_000),
        counters: fc.record(
          {
            accepted: counterValue,
            refused: counterValue,
            failed: counterValue,
            incoming: counterValue,
            outgoing: counterValue,
            dropped: counterValue,
            sent: counterValue,
            sendFailed: counterValue,
            enqueueFailed: counterValue,
            queueSize: counterValue,
          },
          { requiredKeys: [] },
        ),
      }),
      { maxLength: 25 },
    )
    .chain((steps) =>
      fc.constantFrom<ComponentKind>('receiver', 'processor', 'exporter').map((kind) => {
        let timeUnixMs = START_MS;
        return steps.map((step): RawSample => {
          timeUnixMs += step.stepMs;
          return { kind, counters: step.counters, startTimeUnixMs: step.startTimeUnixMs, timeUnixMs };
        });
      }),
    );

  void test('every rate is finite and ≥ 0, and none is computed across a decrease or a new start time', () => {
    fc.assert(
      fc.property(arbitrarySeries, (samples) => {
        let validPairs = 0;
        for (let i = 1; i < samples.length; i += 1) {
          const prev = samples[i - 1]!;
          const next = samples[i]!;
          const rate = rateBetween(prev, next);
          if (!rate) continue;
          validPairs += 1;
          for (const value of [
            rate.recordsPerSec,
            rate.errorsPerSec,
            rate.incomingPerSec,
            rate.droppedPerSec,
          ]) {
            if (value !== undefined) assert.ok(Number.isFinite(value) && value >= 0, `bad rate ${value}`);
          }
          assert.ok(next.timeUnixMs > prev.timeUnixMs);
          for (const counter of [
            'accepted',
            'refused',
            'failed',
            'incoming',
            'outgoing',
            'dropped',
            'sent',
            'sendFailed',
            'enqueueFailed',
          ] as const) {
            const before = prev.counters[counter];
            const after = next.counters[counter];
            if (before !== undefined && after !== undefined)
              assert.ok(after >= before, `rate across a decrease of ${counter}`);
          }
          if (prev.startTimeUnixMs > 0 && next.startTimeUnixMs > 0)
            assert.equal(prev.startTimeUnixMs, next.startTimeUnixMs);
        }
        assert.equal(computeRates(samples).length, validPairs);
      }),
    );
  });

  void test('sparkline buckets are null or finite and ≥ 0, for any series and window', () => {
    fc.assert(
      fc.property(
        arbitrarySeries,
        fc.integer({ min: 1, max: 60 }),
        fc.integer({ min: 1, max: 3_600_000 }),
        (samples, buckets, spanMs) => {
          for (const value of sparkline(samples, START_MS, START_MS + spanMs, buckets)) {
            assert.ok(value === null || (Number.isFinite(value) && value >= 0), `bad bucket ${value}`);
          }
        },
      ),
    );
  });
});
