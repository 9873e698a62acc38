import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { CurrentRates } from '../telemetry/rate-summary.ts';
import { deriveStatus, maxQuotedErrorLength, type HealthFacts } from './collector-health.ts';

const quietRates: CurrentRates = {
  recordsInPerSec: 100,
  recordsOutPerSec: 100,
  errorsPerSec: 0,
  topError: null,
  exporterRates: [],
  missingReason: null,
};
const healthy: HealthFacts = { configFailure: null, unhealthy: null, rates: quietRates };

describe('collector status with health', () => {
  it('is connected when nothing fails', () => {
    assert.deepEqual(deriveStatus('connected', healthy), { status: 'connected', reason: null });
  });

  it('is error with the failing exporter and its rate', () => {
    const rates: CurrentRates = {
      ...quietRates,
      errorsPerSec: 700,
      topError: { kind: 'exporter', componentId: 'otlphttp/x', perSec: 700 },
    };
    assert.deepEqual(deriveStatus('connected', { ...healthy, rates }), {
      status: 'error',
      reason: 'exporter otlphttp/x failing at 700/s',
    });
    const refused: CurrentRates = {
      ...quietRates,
      errorsPerSec: 12.5,
      topError: { kind: 'receiver', componentId: 'otlp', perSec: 12.5 },
    };
    assert.equal(
      deriveStatus('connected', { ...healthy, rates: refused }).reason,
      'receiver otlp refusing 12.5/s',
    );
  });

  it('names a failed config apply and an unhealthy agent, config first', () => {
    const derived = deriveStatus('connected', {
      ...healthy,
      configFailure: { version: 3, error: '\'exporters\' unknown type:\n  "otlphttpx"' },
      unhealthy: { lastError: 'Agent process PID=42 exited unexpectedly, exit code=1' },
    });
    assert.equal(derived.status, 'error');
    assert.equal(
      derived.reason,
      `config failed: 'exporters' unknown type: "otlphttpx"; agent reports unhealthy: Agent process PID=42 exited unexpectedly, exit code=1`,
    );
  });

  it('bounds a quoted error', () => {
    const derived = deriveStatus('connected', {
      ...healthy,
      configFailure: { version: 3, error: 'x'.repeat(5000) },
    });
    assert.ok((derived.reason ?? '').length <= 'config failed: '.length + maxQuotedErrorLength);
  });

  it('keeps disconnected, stale and pending: a collector that is not there has no health', () => {
    const failing: HealthFacts = {
      configFailure: { version: 3, error: 'boom' },
      unhealthy: { lastError: 'down' },
      rates: { ...quietRates, errorsPerSec: 5, topError: { kind: 'exporter', componentId: 'x', perSec: 5 } },
    };
    for (const status of ['disconnected', 'stale', 'pending', 'deregistered'] as const) {
      assert.deepEqual(deriveStatus(status, failing), { status, reason: null });
    }
  });
});
